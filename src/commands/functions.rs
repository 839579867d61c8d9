//! `skistack functions [NAME]`: the built-in functions of `${ }` expressions,
//! each with its signature and one-line summary, grouped by category; or one
//! function. The rows come from the engine's function table
//! ([`skistack_engine::function_docs`]), where each summary is declared with
//! its function, so this listing (and the README, checked against the same
//! rows) cannot drift from what the engine calls.

use skistack_engine::{Diagnostic, did_you_mean, function_docs};

use super::Exit;

/// Prints every function by category, or the function `name`; an unknown
/// name is an argument error (exit 2) with the nearest name suggested.
pub fn run(name: Option<&str>) -> Result<Exit, Exit> {
    let docs = function_docs();
    let Some(name) = name else {
        for group in docs.chunk_by(|a, b| a.category == b.category) {
            // Signatures line up within a category.
            let width = group.iter().map(|d| d.signature.len()).max().unwrap_or(0);
            // `chunk_by` never yields an empty group.
            println!("{}:", group[0].category);
            for d in group {
                println!("  {:width$}  {}", d.signature, d.summary);
            }
        }
        return Ok(Exit::Ok);
    };
    match docs.iter().find(|d| d.name == name) {
        Some(d) => {
            println!("{}: {}", d.signature, d.summary);
            Ok(Exit::Ok)
        }
        None => {
            let hint = match did_you_mean(name, docs.iter().map(|d| d.name)) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "`skistack functions` lists them all".to_string(),
            };
            Err(Exit::Invalid(vec![
                Diagnostic::new(format!("no function `{name}`"), None).with_hint(hint),
            ]))
        }
    }
}
