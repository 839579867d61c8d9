//! `skistack functions` and the README's function reference. The README's
//! list of functions is generated from the engine's function table (each
//! summary is declared with its function) and checked here, so a function
//! added, renamed or redescribed in the engine fails this test until the
//! README is updated with the block the failure prints.

use skistack_engine::function_docs;
use skistack_test_support::cli::Project;

use crate::BIN;

const BEGIN: &str = "<!-- functions:begin -->";
const END: &str = "<!-- functions:end -->";

/// The README's block of functions between the markers, markers included:
/// one markdown list per category, one line per function, indented to sit
/// under the "Functions:" bullet of "## Stack files".
fn expected_block() -> String {
    let mut out = format!("  {BEGIN}\n");
    let docs = function_docs();
    for group in docs.chunk_by(|a, b| a.category == b.category) {
        out.push_str(&format!("  - {}:\n", group[0].category));
        for d in group {
            out.push_str(&format!("    - `{}`: {}\n", d.signature, d.summary));
        }
    }
    out.push_str(&format!("  {END}\n"));
    out
}

#[test]
fn the_readme_lists_every_function_as_the_engine_declares_it() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let expected = expected_block();
    let found = readme.find(BEGIN).and_then(|b| {
        let start = readme[..b].rfind('\n').map_or(0, |n| n + 1);
        let end = b + readme[b..].find(END)? + END.len();
        let end = readme[end..]
            .find('\n')
            .map_or(readme.len(), |n| end + n + 1);
        Some(&readme[start..end])
    });
    assert!(
        found == Some(expected.as_str()) && readme.matches(BEGIN).count() == 1,
        "README.md's function list is not the engine's; replace the lines from \
         {BEGIN} to {END} (or add them under \"Functions:\" in \"## Stack files\") \
         with:\n\n{expected}"
    );
}

#[test]
fn functions_lists_every_function_and_shows_one() {
    let p = Project::new(BIN);
    let all = p.run(&["functions"]);
    all.ok().contains("network:\n").contains("types:\n");
    for d in function_docs() {
        all.contains(d.signature).contains(d.summary);
    }
    p.run(&["functions", "cidrsubnet"]).ok().contains(
        "cidrsubnet(prefix, newbits, netnum): the netnum-th subnet of prefix with newbits more bits",
    );
    p.run(&["functions", "try"])
        .ok()
        .contains("try(a, b, ...): ");
    p.run(&["functions", "cidrsubnett"])
        .expect_code(2)
        .contains("no function `cidrsubnett`")
        .contains("did you mean `cidrsubnet`?");
}
