//! Filesystem functions: abspath basename dirname file fileexists fileset
//! filebase64 pathexpand templatefile. Relative paths are relative to the
//! stack file's directory ([`Scope::base_dir`](crate::expr::Scope::base_dir)),
//! not to wherever skistack was started, so a stack reads the same files
//! from any working directory. Files larger than [`MAX_OUTPUT`] and
//! directory walks past [`MAX_WALK`] entries are refused.

use std::path::{Component, Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use regex::Regex;

use super::collection::set_of;
use super::string::render;
use super::{Call, Function, MAX_OUTPUT, row};
use crate::base::Value;
use crate::expr::error::ExprError;

/// Most directory entries `fileset` looks at.
const MAX_WALK: usize = 100_000;

/// This table's category, a heading of `skistack functions` and the README.
pub(super) const CATEGORY: &str = "filesystem";

/// This category's rows of the function table.
pub(super) static ROWS: &[Function] = &[
    row(
        "abspath",
        "abspath(path)",
        "path made absolute",
        1,
        Some(1),
        abspath,
    ),
    row(
        "basename",
        "basename(path)",
        "the last element of path",
        1,
        Some(1),
        basename,
    ),
    row(
        "dirname",
        "dirname(path)",
        "path without its last element",
        1,
        Some(1),
        dirname,
    ),
    row(
        "file",
        "file(path)",
        "the contents of the file at path, a UTF-8 string",
        1,
        Some(1),
        file,
    ),
    row(
        "filebase64",
        "filebase64(path)",
        "the contents of the file at path, in Base64",
        1,
        Some(1),
        filebase64,
    ),
    row(
        "fileexists",
        "fileexists(path)",
        "whether a file exists at path",
        1,
        Some(1),
        fileexists,
    ),
    row(
        "fileset",
        "fileset(path, pattern)",
        "the files under path whose names match the glob pattern, sorted",
        2,
        Some(2),
        fileset,
    ),
    row(
        "pathexpand",
        "pathexpand(path)",
        "path with a leading `~` replaced by the home directory",
        1,
        Some(1),
        pathexpand,
    ),
    row(
        "templatefile",
        "templatefile(path, vars)",
        "the template in the file at path, rendered with the variables of vars",
        2,
        Some(2),
        templatefile,
    ),
];

/// Argument `i` as a path, after `~` expansion, resolved against the stack
/// file's directory.
fn resolve(c: &Call<'_>, i: usize) -> Result<PathBuf, ExprError> {
    let path = expand_home(&c.str(i)?);
    Ok(c.scope().base_dir().join(path))
}

/// The bytes of the file named by argument `i`.
pub(super) fn read_bytes(c: &Call<'_>, i: usize) -> Result<Vec<u8>, ExprError> {
    let shown = c.str(i)?;
    let full = resolve(c, i)?;
    let cannot = |e: std::io::Error| {
        c.err(
            i,
            format!("cannot read file `{shown}` ({}): {e}", full.display()),
        )
    };
    let meta = std::fs::metadata(&full).map_err(cannot)?;
    if meta.len() > MAX_OUTPUT as u64 {
        return Err(c.err(
            i,
            format!("file `{shown}` is larger than {MAX_OUTPUT} bytes"),
        ));
    }
    std::fs::read(&full).map_err(cannot)
}

/// The text of the file named by argument `i`.
fn read_text(c: &Call<'_>, i: usize) -> Result<String, ExprError> {
    String::from_utf8(read_bytes(c, i)?).map_err(|_| {
        c.err(i, "the file is not UTF-8 text")
            .with_hint("use filebase64() for binary files")
    })
}

fn file(c: &Call<'_>) -> Result<Value, ExprError> {
    read_text(c, 0).map(Value::String)
}

fn filebase64(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::String(BASE64.encode(read_bytes(c, 0)?)))
}

fn templatefile(c: &Call<'_>) -> Result<Value, ExprError> {
    let text = read_text(c, 0)?;
    render(c, &text, 0, 1)
}

fn fileexists(c: &Call<'_>) -> Result<Value, ExprError> {
    let full = resolve(c, 0)?;
    match std::fs::metadata(&full) {
        Ok(m) if m.is_file() => Ok(Value::Bool(true)),
        Ok(_) => Err(c.err(0, format!("`{}` is not a regular file", full.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::Bool(false)),
        Err(e) => Err(c.err(0, format!("cannot stat `{}`: {e}", full.display()))),
    }
}

/// `~` or `~/...` with the home directory put in.
fn expand_home(p: &str) -> String {
    let home = std::env::var("HOME").unwrap_or_default();
    if p == "~" {
        home
    } else if let Some(rest) = p.strip_prefix("~/") {
        format!("{}/{rest}", home.trim_end_matches('/'))
    } else {
        p.to_string()
    }
}

fn pathexpand(c: &Call<'_>) -> Result<Value, ExprError> {
    Ok(Value::String(expand_home(&c.str(0)?)))
}

/// Go's `filepath.Clean`: `.` and `..` resolved lexically.
fn clean(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for comp in p.components() {
        match comp {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

fn abspath(c: &Call<'_>) -> Result<Value, ExprError> {
    let mut full = c.scope().base_dir().join(&*c.str(0)?);
    if full.is_relative() {
        let cwd = std::env::current_dir()
            .map_err(|e| c.err(0, format!("cannot find the current directory: {e}")))?;
        full = cwd.join(full);
    }
    Ok(Value::String(clean(&full).to_string_lossy().into_owned()))
}

/// Go's `filepath.Base`.
fn basename(c: &Call<'_>) -> Result<Value, ExprError> {
    let p = c.str(0)?;
    let trimmed = p.trim_end_matches('/');
    let out = if p.is_empty() {
        "."
    } else if trimmed.is_empty() {
        "/"
    } else {
        trimmed.rsplit('/').next().unwrap_or(trimmed)
    };
    Ok(Value::String(out.to_string()))
}

/// Go's `filepath.Dir`: everything before the last element, cleaned.
fn dirname(c: &Call<'_>) -> Result<Value, ExprError> {
    let p = c.str(0)?;
    let dir = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    let cleaned = clean(Path::new(dir));
    let out = if dir.starts_with('/') && cleaned.as_os_str().is_empty() {
        "/".to_string()
    } else {
        cleaned.to_string_lossy().into_owned()
    };
    Ok(Value::String(out))
}

/// A glob (`*`, `**`, `?`, `[...]`, `{a,b}`) as an anchored regular
/// expression over `/`-separated relative paths.
fn glob_regex(c: &Call<'_>, pattern: &str) -> Result<Regex, ExprError> {
    let mut re = String::from("^");
    let mut chars = pattern.chars().peekable();
    let mut braces = 0;
    while let Some(ch) = chars.next() {
        match ch {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                    re.push_str("(?:.*/)?");
                } else {
                    re.push_str(".*");
                }
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '[' => {
                re.push('[');
                if matches!(chars.peek(), Some('!' | '^')) {
                    chars.next();
                    re.push('^');
                }
                for ch in chars.by_ref() {
                    if ch == ']' {
                        break;
                    }
                    if ch == '\\' || ch == '[' {
                        re.push('\\');
                    }
                    re.push(ch);
                }
                re.push(']');
            }
            '{' => {
                braces += 1;
                re.push_str("(?:");
            }
            '}' if braces > 0 => {
                braces -= 1;
                re.push(')');
            }
            ',' if braces > 0 => re.push('|'),
            '\\' => {
                if let Some(next) = chars.next() {
                    re.push_str(&regex::escape(&next.to_string()));
                }
            }
            other => re.push_str(&regex::escape(&other.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re).map_err(|e| c.err(1, format!("invalid pattern: {e}")))
}

fn fileset(c: &Call<'_>) -> Result<Value, ExprError> {
    let root = resolve(c, 0)?;
    let matcher = glob_regex(c, &c.str(1)?)?;
    let mut found = Vec::new();
    let mut pending = vec![PathBuf::new()];
    let mut seen = 0usize;
    while let Some(rel) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&rel)) else {
            continue;
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > MAX_WALK {
                return Err(c.err(0, format!("more than {MAX_WALK} entries under the path")));
            }
            let path = rel.join(entry.file_name());
            // Symlinked directories are not followed, so a loop cannot trap the walk.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                pending.push(path);
            } else if std::fs::metadata(entry.path()).is_ok_and(|m| m.is_file()) {
                let text = path.to_string_lossy().replace('\\', "/");
                if matcher.is_match(&text) {
                    found.push(Value::String(text));
                }
            }
        }
    }
    Ok(Value::List(set_of(found)))
}
