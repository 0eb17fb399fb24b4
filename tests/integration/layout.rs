//! The layout rules of docs/architecture.md, checked on the source text:
//! every file under src/ is either in the pure core or at the edge; the
//! pure core imports no effects (tokio, reqwest, hyper, `std::fs`, the
//! clock, the terminal) and none of the edge's modules; and the stages
//! import in one direction (manifest, then validate, then api and plan).

use std::path::{Path, PathBuf};

use crate::support::cli::repo;

/// Where a source file sits, by path under src/ (the longest match wins).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// Pure: text, values and traits in, values out.
    Core,
    /// Effects: disk, network, clock, signals, the terminal.
    Edge,
    /// Test code only (compiled under `#[cfg(test)]`).
    Test,
}

const PLACES: &[(&str, Place)] = &[
    ("api/", Place::Core),
    ("api/product.rs", Place::Core),
    ("app.rs", Place::Edge),
    ("archive.rs", Place::Core),
    ("certificate.rs", Place::Core),
    ("cli/", Place::Core),
    ("commands/", Place::Edge),
    ("commands/runner.rs", Place::Edge),
    ("csr/", Place::Core),
    ("diag.rs", Place::Core),
    ("emulator/", Place::Edge),
    ("emulator/tests.rs", Place::Test),
    ("emulator/issuer.rs", Place::Edge),
    ("emulator/lifecycle.rs", Place::Edge),
    ("field.rs", Place::Core),
    ("import_tree.rs", Place::Core),
    ("lib.rs", Place::Core),
    ("main.rs", Place::Edge),
    ("manifest/", Place::Core),
    ("numbers.rs", Place::Core),
    ("outfile.rs", Place::Edge),
    ("output/", Place::Core),
    ("output/format/", Place::Core),
    ("pipeline.rs", Place::Core),
    ("plan/", Place::Core),
    ("plan/run.rs", Place::Edge),
    ("plan/run_send.rs", Place::Edge),
    ("plan/run_lifecycle.rs", Place::Edge),
    ("plan/run_lifecycle_tests.rs", Place::Test),
    ("plan/run_status.rs", Place::Edge),
    ("plan/run_tests.rs", Place::Test),
    ("plan/step_tests.rs", Place::Test),
    ("secret.rs", Place::Core),
    ("select.rs", Place::Core),
    ("source.rs", Place::Core),
    ("starter.rs", Place::Core),
    ("syntax/", Place::Core),
    ("system.rs", Place::Edge),
    ("transport/", Place::Edge),
    ("validate/", Place::Core),
    ("validate/letter.rs", Place::Core),
];

/// What the pure core must not name: effects, and the modules that have them.
const FORBIDDEN_IN_CORE: &[&str] = &[
    "tokio",
    "reqwest",
    "hyper",
    "std::fs",
    "SystemTime::now",
    "println!",
    "eprintln!",
    "stdout()",
    "stderr()",
    "RealFileSystem",
    "ProcessEnvironment",
    "crate::app",
    "crate::commands",
    "crate::emulator",
    "crate::outfile",
    "crate::transport",
    "crate::plan::run",
];

/// What each folder must not import, beyond the core's rule: the direction
/// of the stages (docs/architecture.md, "Layout").
const FOLDER_RULES: &[(&str, &[&str])] = &[
    (
        "manifest/",
        &[
            "crate::validate",
            "crate::plan",
            "crate::api",
            "crate::output",
            "crate::pipeline",
        ],
    ),
    (
        "validate/",
        &[
            "crate::plan",
            "crate::api",
            "crate::output",
            "crate::pipeline",
        ],
    ),
    (
        "api/",
        &[
            "crate::plan",
            "crate::output",
            "crate::commands",
            "crate::transport",
        ],
    ),
    ("plan/", &["crate::output", "crate::commands"]),
    ("field.rs", &["crate::"]),
    // The emulator keeps its own tables and checks: a mistake on either
    // side must show, so it never calls the client's validation.
    (
        "emulator/",
        &[
            "crate::plan",
            "crate::api::request",
            "crate::commands",
            "crate::validate",
            "crate::syntax",
        ],
    ),
    // The floor: pure syntax checks that every stage may use.
    ("syntax/", &["crate::"]),
];

/// Exceptions to the folder rules: (folder, path it may import). The
/// product table is pure data that validation checks `purchase` against.
const FOLDER_EXCEPTIONS: &[(&str, &str)] = &[("validate/", "crate::api::product")];

fn place(relative: &str) -> Option<Place> {
    PLACES
        .iter()
        .filter(|(prefix, _)| {
            relative == *prefix || (prefix.ends_with('/') && relative.starts_with(prefix))
        })
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, place)| *place)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The shipped text of a file: up to its first `#[cfg(test)]` item, line
/// comments removed (a comment may name what the code must not use).
fn shipped(text: &str) -> String {
    text.lines()
        .take_while(|line| !line.starts_with("#[cfg(test)]"))
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Files that name something their place forbids: (file, what).
fn violations(files: &[(String, String)]) -> Vec<(String, &'static str)> {
    let mut found = Vec::new();
    for (relative, text) in files {
        let mut code = shipped(text);
        for (prefix, allowed) in FOLDER_EXCEPTIONS {
            if relative.starts_with(prefix) {
                code = code.replace(allowed, "");
            }
        }
        let core: &[&'static str] = if place(relative) == Some(Place::Core) {
            FORBIDDEN_IN_CORE
        } else {
            &[]
        };
        let folder = FOLDER_RULES
            .iter()
            .filter(|(prefix, _)| relative.starts_with(prefix))
            .flat_map(|(_, words)| words.iter());
        for word in core.iter().chain(folder) {
            if code.contains(word) && !found.contains(&(relative.clone(), *word)) {
                found.push((relative.clone(), *word));
            }
        }
    }
    found
}

fn sources() -> Vec<(String, String)> {
    let src = repo().join("src");
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    paths
        .into_iter()
        .map(|path| {
            let relative = path
                .strip_prefix(&src)
                .expect("under src/")
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path).expect("a source file");
            (relative, text)
        })
        .collect()
}

#[test]
fn every_source_file_has_a_place() {
    let sources = sources();
    assert!(sources.len() > 40, "{}", sources.len());
    let unplaced: Vec<&str> = sources
        .iter()
        .map(|(relative, _)| relative.as_str())
        .filter(|relative| place(relative).is_none())
        .collect();
    assert!(
        unplaced.is_empty(),
        "add these to PLACES and docs/architecture.md: {unplaced:?}"
    );
}

#[test]
fn the_pure_core_imports_no_effects_and_stages_import_forward() {
    let found = violations(&sources());
    assert!(
        found.is_empty(),
        "imports against the rules of docs/architecture.md: {found:?}"
    );
}

#[test]
fn the_check_sees_a_forbidden_import_but_not_in_tests_or_comments() {
    let file = |relative: &str, text: &str| (relative.to_string(), text.to_string());
    let found = violations(&[
        file("validate/mod.rs", "use std::fs;\nfn f() {}\n"),
        file("plan/decide.rs", "// tokio is not used here\nfn f() {}\n"),
        file(
            "output/report.rs",
            "fn f() {}\n#[cfg(test)]\nmod tests { use tokio; }\n",
        ),
        file("plan/run.rs", "use tokio::time::Instant;\n"),
        file("api/request.rs", "use crate::transport::Transport;\n"),
        file("manifest/raw.rs", "use crate::validate::Options;\n"),
        file("emulator/actions.rs", "use crate::api::request::Body;\n"),
    ]);
    assert_eq!(
        found,
        [
            ("validate/mod.rs".to_string(), "std::fs"),
            ("api/request.rs".to_string(), "crate::transport"),
            ("manifest/raw.rs".to_string(), "crate::validate"),
            ("emulator/actions.rs".to_string(), "crate::api::request"),
        ]
    );
}

/// The files of `commands/` every command may use: the rest are commands,
/// and a command imports no other command (docs/architecture.md, "The run
/// layer").
const SHARED_COMMAND_FILES: &[&str] =
    &["mod.rs", "error.rs", "settings.rs", "runner.rs", "reads.rs"];

/// The first names of the paths after each `super::` and
/// `crate::commands::` in `code`: `super::{a::x, b}` names `a` and `b`.
fn modules_named(code: &str) -> Vec<String> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut names = Vec::new();
    for prefix in ["super::", "crate::commands::"] {
        for (at, _) in code.match_indices(prefix) {
            let rest = &code[at + prefix.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // The items of the group at its top level.
                let mut depth = 0;
                let mut item = String::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            names.push(item.trim().chars().take_while(|&c| ident(c)).collect());
                            item.clear();
                            continue;
                        }
                        _ => {}
                    }
                    item.push(c);
                }
                names.push(item.trim().chars().take_while(|&c| ident(c)).collect());
            } else {
                names.push(rest.chars().take_while(|&c| ident(c)).collect());
            }
        }
    }
    names
}

/// Files of `commands/` that name a command module other than their own
/// (the shared files, `mod.rs` aside, name none): (file, module).
fn command_imports(files: &[(String, String)]) -> Vec<(String, String)> {
    // Each file of `commands/` but `mod.rs`, with the command it belongs
    // to (`None`: a shared file): `plan_apply/saved_plan.rs` is plan_apply's.
    let in_commands: Vec<(&str, Option<&str>, &str)> = files
        .iter()
        .filter_map(|(relative, text)| {
            let name = relative.strip_prefix("commands/")?;
            let command = match name.split_once('/') {
                Some((folder, _)) => Some(folder),
                None if SHARED_COMMAND_FILES.contains(&name) => None,
                None => Some(name.trim_end_matches(".rs")),
            };
            (name != "mod.rs").then_some((name, command, text.as_str()))
        })
        .collect();
    let mut commands: Vec<&str> = in_commands.iter().filter_map(|(_, c, _)| *c).collect();
    commands.sort_unstable();
    commands.dedup();
    let mut found = Vec::new();
    for (name, own, text) in &in_commands {
        let named = modules_named(&shipped(text));
        for other in commands.iter().filter(|other| Some(**other) != *own) {
            if named.iter().any(|n| n == other) {
                found.push((format!("commands/{name}"), (*other).to_string()));
            }
        }
    }
    found
}

#[test]
fn no_command_file_imports_another() {
    let sources = sources();
    let commands = sources
        .iter()
        .filter(|(relative, _)| relative.starts_with("commands/"))
        .count();
    assert!(commands > 10, "{commands}");
    let found = command_imports(&sources);
    assert!(
        found.is_empty(),
        "a command file imports another command (move what they share to commands/runner.rs or commands/mod.rs): {found:?}"
    );
}

#[test]
fn the_check_sees_a_command_importing_another() {
    let file = |relative: &str, text: &str| (relative.to_string(), text.to_string());
    let found = command_imports(&[
        file(
            "commands/status.rs",
            "use super::plan_apply::{Pace, Runs};\n",
        ),
        file(
            "commands/import.rs",
            "use super::{status::readers, CommandError};\n",
        ),
        file(
            "commands/plan_apply.rs",
            "use super::runner::Runner;\nuse super::settings::Target;\n// super::emulator in a comment\n",
        ),
        file("commands/emulator.rs", "use crate::commands::plan_apply;\n"),
        file(
            "commands/render.rs",
            "use super::statuses;\n#[cfg(test)]\nmod tests { use super::super::status; }\n",
        ),
        file("commands/runner.rs", "use super::emulator::TreeState;\n"),
        file(
            "commands/plan_apply/saved.rs",
            "use super::super::status::Entry;\n",
        ),
        file(
            "commands/plan_apply/mod.rs",
            "mod saved;\nuse saved::open;\nuse super::runner;\n",
        ),
    ]);
    assert_eq!(
        found,
        [
            ("commands/status.rs".to_string(), "plan_apply".to_string()),
            ("commands/import.rs".to_string(), "status".to_string()),
            ("commands/emulator.rs".to_string(), "plan_apply".to_string()),
            ("commands/runner.rs".to_string(), "emulator".to_string()),
            (
                "commands/plan_apply/saved.rs".to_string(),
                "status".to_string()
            ),
        ]
    );
}

/// An import: (from, to).
type Edge = (String, String);

/// The modules a file's shipped code names: `crate::<top>` gives the
/// top-level module, and within a folder `super::<name>` (or
/// `crate::<folder>::<name>`) the sibling file. (Module, file) edges.
fn edges(files: &[(String, String)]) -> (Vec<Edge>, Vec<Edge>) {
    let names: Vec<&str> = files.iter().map(|(r, _)| r.as_str()).collect();
    let word = |text: &str| -> String {
        text.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut modules = Vec::new();
    let mut siblings = Vec::new();
    for (relative, text) in files {
        if place(relative) == Some(Place::Test) {
            continue;
        }
        let code = shipped(text);
        let top = relative
            .split('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches(".rs");
        for (at, _) in code.match_indices("crate::") {
            let named = word(&code[at + "crate::".len()..]);
            if !named.is_empty() && named != top {
                modules.push((top.to_string(), named));
            }
        }
        let Some((folder, own)) = relative.rsplit_once('/') else {
            continue;
        };
        if own == "mod.rs" {
            continue;
        }
        let own = own.trim_end_matches(".rs");
        let prefixes = [
            "super::".to_string(),
            format!("crate::{}::", folder.replace('/', "::")),
        ];
        for prefix in &prefixes {
            for (at, _) in code.match_indices(prefix.as_str()) {
                let named = word(&code[at + prefix.len()..]);
                let sibling = format!("{folder}/{named}.rs");
                if named != own && names.contains(&sibling.as_str()) {
                    siblings.push((relative.clone(), sibling));
                }
            }
        }
    }
    (modules, siblings)
}

/// A cycle of the graph, if any: its nodes in order.
fn cycle(edges: &[Edge]) -> Option<Vec<String>> {
    fn visit<'a>(
        node: &'a str,
        edges: &'a [Edge],
        path: &mut Vec<&'a str>,
        done: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| *n == node) {
            return Some(path[start..].iter().map(|n| (*n).to_string()).collect());
        }
        if done.contains(&node) {
            return None;
        }
        path.push(node);
        for (_, to) in edges.iter().filter(|(from, _)| from == node) {
            if let Some(found) = visit(to, edges, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.push(node);
        None
    }
    let mut done = Vec::new();
    edges
        .iter()
        .find_map(|(from, _)| visit(from, edges, &mut Vec::new(), &mut done))
}

#[test]
fn no_import_cycle_between_modules_or_files() {
    let (modules, files) = edges(&sources());
    assert!(modules.len() > 50, "{}", modules.len());
    assert_eq!(cycle(&modules), None, "top-level modules import in a cycle");
    assert_eq!(cycle(&files), None, "files of one folder import in a cycle");
}

#[test]
fn the_cycle_check_sees_a_cycle() {
    let file = |relative: &str, text: &str| (relative.to_string(), text.to_string());
    let (modules, files) = edges(&[
        file("certificate.rs", "use crate::api::action::Action;\n"),
        file("api/request.rs", "use crate::certificate::Api;\n"),
        file("plan/outcome.rs", "use super::saved::Digests;\n"),
        file("plan/saved.rs", "use crate::plan::outcome::Outcome;\n"),
        file("plan/run_tests.rs", "use crate::output::Report;\n"),
    ]);
    assert_eq!(
        cycle(&modules),
        Some(vec!["certificate".to_string(), "api".to_string()])
    );
    assert_eq!(
        cycle(&files),
        Some(vec![
            "plan/outcome.rs".to_string(),
            "plan/saved.rs".to_string()
        ])
    );
    let (modules, _) = edges(&[file("plan/run_tests.rs", "use crate::output::Report;\n")]);
    assert!(modules.is_empty());
}
