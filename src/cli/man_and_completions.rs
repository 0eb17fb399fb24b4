//! Shell completion scripts and man pages, made from the clap definition of
//! the command line (`cli/mod.rs`), so they cannot drift from it. Pure: bytes in
//! memory; `commands/man.rs` prints or writes them.
//!
//! Hidden commands (`debug-sign`, a test tool) appear in neither.

use clap::{Command, CommandFactory as _};
use clap_complete::Shell;

use crate::cli::Cli;

/// The command line as users see it: the top-level hidden subcommands taken
/// out. clap_mangen skips hidden subcommands itself; clap_complete's scripts
/// do not, and clap cannot remove a subcommand, so the top level is rebuilt
/// from its visible parts. (No nested subcommand is hidden.)
fn visible_command() -> Command {
    let full = Cli::command();
    let mut visible = Command::new("tccert")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .args(full.get_arguments().cloned())
        .subcommands(full.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
    if let Some(about) = full.get_about() {
        visible = visible.about(about.clone());
    }
    visible
}

/// The completion script for `shell`.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut command = visible_command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "tccert", &mut script);
    script
}

/// `tccert.1`: the top-level page, listing every visible command.
pub fn man_page() -> std::io::Result<Vec<u8>> {
    let mut page = Vec::new();
    clap_mangen::Man::new(built()).render(&mut page)?;
    Ok(page)
}

/// `tccert.1` and one page per visible command and subcommand
/// (`tccert-plan.1`, `tccert-csr-new.1`, ...), as (file name, roff).
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    fn add(command: &Command, pages: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
        let man = clap_mangen::Man::new(command.clone());
        let mut page = Vec::new();
        man.render(&mut page)?;
        pages.push((man.get_filename(), page));
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            add(sub, pages)?;
        }
        Ok(())
    }
    let mut pages = Vec::new();
    add(&built(), &mut pages)?;
    Ok(pages)
}

/// The full command, built, so subcommands carry their display names
/// (`tccert-csr-new`), which become the page titles and file names. The
/// `help` subcommand would get a page of its own; `--help` is enough.
fn built() -> Command {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_cover_visible_commands_only() {
        for shell in [
            Shell::Bash,
            Shell::Zsh,
            Shell::Fish,
            Shell::PowerShell,
            Shell::Elvish,
        ] {
            let script = String::from_utf8(completions(shell)).unwrap();
            // Fish writes long options as `-l detailed-exitcode`.
            for visible in ["apply", "validate", "csr", "init", "detailed-exitcode"] {
                assert!(script.contains(visible), "{shell}: lacks {visible}");
            }
            assert!(!script.contains("debug-sign"), "{shell} shows debug-sign");
        }
    }

    #[test]
    fn the_visible_command_keeps_global_options() {
        let script = String::from_utf8(completions(Shell::Bash)).unwrap();
        assert!(script.contains("--verbose") && script.contains("--quiet"));
    }

    #[test]
    fn one_page_per_visible_command() {
        let pages = man_pages().unwrap();
        let names: Vec<&str> = pages.iter().map(|(name, _)| name.as_str()).collect();
        for expected in [
            "tccert.1",
            "tccert-validate.1",
            "tccert-plan.1",
            "tccert-apply.1",
            "tccert-csr.1",
            "tccert-csr-new.1",
            "tccert-csr-inspect.1",
            "tccert-init.1",
            "tccert-man.1",
        ] {
            assert!(
                names.contains(&expected),
                "{expected} missing from {names:?}"
            );
        }
        assert!(
            !names
                .iter()
                .any(|n| n.contains("debug-sign") || n.contains("help"))
        );
        let top = String::from_utf8(man_page().unwrap()).unwrap();
        assert!(top.contains(".TH tccert 1"), "{top}");
        // roff escapes the hyphen.
        assert!(!top.contains("debug-sign") && !top.contains("debug\\-sign"));
        assert!(top.contains("apply") && top.contains("csr"));
        assert_eq!(pages[0].1, top.into_bytes());
    }
}
