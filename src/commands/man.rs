//! `tccert completions SHELL` and `tccert man [--out-dir DIR]`, both made
//! from the clap definition.

use std::path::PathBuf;

use super::{CommandError, CommandResult, EXIT_OK, print_stdout};
use crate::cli::man_and_completions::{completions as completion_script, man_page, man_pages};
use crate::cli::{CompletionsArgs, ManArgs};
use crate::outfile::{self, NewFile};

/// `tccert completions SHELL`.
pub fn completions(args: &CompletionsArgs) -> CommandResult {
    print_stdout(&String::from_utf8_lossy(&completion_script(args.shell)));
    Ok(EXIT_OK)
}

/// `tccert man [--out-dir DIR]`. Pages in DIR are replaced: they are made
/// from this binary, and packaging scripts run this again on each build.
pub fn man(args: &ManArgs) -> CommandResult {
    let Some(dir) = &args.out_dir else {
        let page = man_page().map_err(|source| CommandError::ManPage {
            what: "page",
            source,
        })?;
        print_stdout(&String::from_utf8_lossy(&page));
        return Ok(EXIT_OK);
    };
    let pages = man_pages().map_err(|source| CommandError::ManPage {
        what: "pages",
        source,
    })?;
    std::fs::create_dir_all(dir).map_err(|source| CommandError::CreateDir {
        path: dir.clone(),
        source,
    })?;
    let paths: Vec<PathBuf> = pages.iter().map(|(name, _)| dir.join(name)).collect();
    let files: Vec<NewFile<'_>> = pages
        .iter()
        .zip(&paths)
        .map(|((_, page), path)| NewFile {
            path,
            contents: page,
            private: false,
        })
        .collect();
    outfile::write_all(&files, true)?;
    let listed: String = paths.iter().map(|p| format!("{}\n", p.display())).collect();
    print_stdout(&listed);
    Ok(EXIT_OK)
}
