//! `tccert init DIR`: the starter tree, written only where nothing is in the
//! way (or with `--force`).

use std::path::PathBuf;

use super::error::owned;
use super::{CommandError, CommandResult, EXIT_OK, print_stdout};
use crate::cli::InitArgs;
use crate::outfile::{self, NewFile};
use crate::starter;

pub fn run(args: &InitArgs) -> CommandResult {
    let mut files = starter::starter_files();
    // A `.gitignore` that is there already is the repository's own: kept,
    // whatever `--force` says, and not in the way either.
    let gitignore = args.dir.join(starter::GITIGNORE_PATH);
    let keep_gitignore = !outfile::existing([gitignore.as_path()]).is_empty();
    if !keep_gitignore {
        files.push(starter::StarterFile {
            path: starter::GITIGNORE_PATH,
            contents: starter::GITIGNORE.to_string(),
        });
    }
    let paths: Vec<PathBuf> = files.iter().map(|f| args.dir.join(f.path)).collect();
    if !args.force {
        let taken = outfile::existing(paths.iter().map(PathBuf::as_path));
        if !taken.is_empty() {
            return Err(CommandError::StarterExists {
                paths: owned(&taken),
            });
        }
    }
    for path in &paths {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| CommandError::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
    }
    let new_files: Vec<NewFile<'_>> = files
        .iter()
        .zip(&paths)
        .map(|(file, path)| NewFile {
            path,
            contents: file.contents.as_bytes(),
            private: false,
        })
        .collect();
    outfile::write_all(&new_files, args.force)?;
    let dir = args.dir.display();
    let mut text = format!("wrote a starter tree in {dir}:\n");
    for path in &paths {
        text.push_str(&format!("  {}\n", path.display()));
    }
    if keep_gitignore {
        text.push_str(&format!(
            "kept {} as it is; to keep private keys out of the repository it should ignore:\n",
            gitignore.display()
        ));
        for pattern in starter::GITIGNORE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            text.push_str(&format!("  {pattern}\n"));
        }
    }
    text.push_str(&format!(
        "\nnext: put your certificate's id in the certificate (`certificate_id`: validate fails \
         until it is not REPLACE-ME) and your details in the profile, then\n  \
         tccert validate {dir}\n  tccert plan {dir} --emulator\n"
    ));
    print_stdout(&text);
    Ok(EXIT_OK)
}
