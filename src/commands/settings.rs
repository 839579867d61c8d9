//! The project file, `skistack.toml` in the directory above `stacks/`: the
//! choices a team commits once (`[state] url`, `[state] secrets`) instead
//! of every person and pipeline passing them.
//!
//! Precedence is the flag, then the environment (both already in
//! [`Global`] from clap), then this file, then the built-in default; the
//! file only fills what neither set. A malformed file, an unknown key or a
//! backend this build lacks is refused at its file:line:column before any
//! state is opened, so a typo never sends a run to the wrong state.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use skistack_engine::{Diagnostic, SourceFile, Span};

use super::Exit;
use crate::cli::Global;

/// The project file's name.
pub const FILE_NAME: &str = "skistack.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectFile {
    #[serde(default)]
    state: StateSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateSection {
    /// Where the state lives: a path, relative to the project file.
    url: Option<toml::Spanned<String>>,
    /// The secrets provider's URL.
    secrets: Option<String>,
}

/// Where the project file of `stacks_dir` is: the directory above it.
fn path_of(stacks_dir: &Path) -> PathBuf {
    stacks_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), PathBuf::from)
        .join(FILE_NAME)
}

/// Fills the state and secrets choices of `global` that neither a flag nor
/// the environment made, from the project file when there is one.
pub fn apply(global: &mut Global) -> Result<(), Exit> {
    let path = path_of(&global.stacks_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Exit::Failed(format!("{}: {e}", path.display()))),
    };
    let file = SourceFile::new(&path, text);
    let parsed: ProjectFile = toml::from_str(&file.text).map_err(|e| {
        let span = e.span().map_or_else(Span::default, Span::from);
        Exit::Invalid(vec![
            Diagnostic::at(&file, span, e.message().to_string())
                .with_hint("the project file knows `[state] url` and `[state] secrets`"),
        ])
    })?;
    if global.state.is_none()
        && let Some(url) = parsed.state.url
    {
        global.state = Some(state_location(&file, url)?);
    }
    if global.secrets_provider.is_none() {
        global.secrets_provider = parsed.state.secrets;
    }
    Ok(())
}

/// The state that `[state] url` names: an `s3://` URL as it is, or a
/// file (a path or `file://PATH`) relative to the project file.
fn state_location(file: &Arc<SourceFile>, url: toml::Spanned<String>) -> Result<String, Exit> {
    let span = Span::from(url.span());
    let url = url.into_inner();
    if url.starts_with("s3://") {
        return Ok(url);
    }
    if let Some((scheme, _)) = url.split_once("://")
        && scheme != "file"
    {
        return Err(Exit::Invalid(vec![
            Diagnostic::at(
                file,
                span,
                format!("skistack keeps the state in a file or in S3, not at `{url}`"),
            )
            .with_hint("write a path (relative to this file), file://PATH, or s3://BUCKET/PREFIX"),
        ]));
    }
    let path = url.strip_prefix("file://").unwrap_or(&url);
    if path.is_empty() {
        return Err(Exit::Invalid(vec![
            Diagnostic::at(file, span, "`url` names no state file")
                .with_hint("for example: url = \".skistack/state.db\""),
        ]));
    }
    let dir = file.path.parent().unwrap_or(Path::new("."));
    dir.join(path).into_os_string().into_string().map_err(|_| {
        Exit::Invalid(vec![Diagnostic::at(
            file,
            span,
            "the state file's path is not valid UTF-8",
        )])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_sits_above_the_stacks_directory() {
        assert_eq!(
            path_of(Path::new("stacks")),
            PathBuf::from("./skistack.toml")
        );
        assert_eq!(
            path_of(Path::new("/srv/game/stacks")),
            PathBuf::from("/srv/game/skistack.toml")
        );
    }
}
