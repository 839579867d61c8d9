//! `-v` and `RUST_LOG` show unchanged resources in previews.

use skistack_test_support::cli::Project;

use crate::BIN;

#[test]
fn verbose_and_rust_log_list_unchanged_resources() {
    let p = Project::new(BIN);
    p.stack("demo", "[resources.a]\ntype = \"std:Data\"\ninput = 1\n");
    p.up("demo");
    p.run(&["preview", "demo"]).ok().lacks("same");
    p.run(&["preview", "demo", "-v"])
        .ok()
        .contains("same")
        .contains("a");
    let out = p
        .command(&["preview", "demo"])
        .env("RUST_LOG", "debug")
        .output()
        .expect("run skistack");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("same"),
        "{out:?}"
    );
    let out = p
        .command(&["preview", "demo"])
        .env("RUST_LOG", "warn")
        .output()
        .expect("run skistack");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("same"),
        "{out:?}"
    );
}
