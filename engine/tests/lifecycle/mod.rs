//! Scenarios of a stack's life, one module per kind of change, and the
//! stack file most of them start from.

mod count;
mod create;
mod data;
mod delete;
mod failure;
mod import;
mod policy;
mod recovery;
mod refactor;
mod refresh;
mod replace;
mod saved;
mod stacks;
mod target;
mod update;

/// A chain `net <- subnet <- app` plus an independent `other`: each
/// references the `arn` of the one before, so outputs flow down the chain
/// and the order of creates and deletes is fixed by the references alone.
pub const CHAIN: &str = r#"
[config]
size = 1

[resources.net]
type = "fake:cloud:Thing"
name = "net"
size = "${config.size}"

[resources.subnet]
type = "fake:cloud:Thing"
name = "subnet"
ref = "${net.arn}"

[resources.app]
type = "fake:cloud:Thing"
ref = "${subnet.arn}"
password = "hunter2"

[resources.other]
type = "fake:cloud:Thing"
size = 7

[outputs]
app_arn = "${app.arn}"
net_id = "${net.id}"
"#;

/// `text` without the declarations `names` (their tables and option
/// tables) and without the outputs that read them.
pub fn without(text: &str, names: &[&str]) -> String {
    let mut out = String::new();
    let mut table = String::new();
    for line in text.lines() {
        if line.starts_with('[') {
            table = line.to_string();
        }
        let removed_table = names.iter().any(|n| {
            table == format!("[resources.{n}]") || table.starts_with(&format!("[resources.{n}."))
        });
        let removed_output =
            table == "[outputs]" && names.iter().any(|n| line.contains(&format!("${{{n}.")));
        if !removed_table && !removed_output {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
