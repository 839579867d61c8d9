//! `preview STACK --out FILE` and `up STACK --plan FILE` through the
//! binary: the reviewed plan is applied without asking, a plan overtaken by
//! a change is refused with nothing applied, and the file holds no secret.

use skistack_test_support::Project;

use crate::BIN;

const STACK: &str = r#"
[config]
token = { type = "string", secret = true }

[resources.a]
type = "std:Data"
input = "first"

[resources.b]
type = "std:Data"
input = "${a.output}-${config.token}"

[resources.stamp]
type = "std:Data"
input = "planned at ${plantimestamp()}"
"#;

const TOKEN: &str = "saved-plan-secret-31337";

#[test]
fn up_applies_the_saved_plan_without_asking_and_refuses_one_overtaken() {
    let p = Project::new(BIN);
    p.stack("app", STACK);
    p.config_set("app", "token", TOKEN);
    p.run(&["preview", "app", "--out", "plan.json"])
        .ok()
        .contains("Saved the plan to plan.json")
        .lacks(TOKEN);
    let file = std::fs::read_to_string(p.root().join("plan.json")).expect("the plan file");
    assert!(!file.contains(TOKEN), "{file}");
    assert!(file.contains("\"create\""), "{file}");

    // No --yes and no terminal: it applies because it does not ask.
    p.run(&["up", "app", "--plan", "plan.json"])
        .ok()
        .lacks(TOKEN);
    assert_eq!(p.recorded("app", "default"), ["a", "b", "stamp"]);

    // Applied once, the plan no longer holds.
    let before = p.state_snapshot();
    p.run(&["up", "app", "--plan", "plan.json"])
        .expect_code(1)
        .contains("no longer holds")
        .contains("the state of `a` is new");
    p.run(&["preview", "app", "--out", "plan.json"]).ok();
    p.stack("app", &STACK.replace("first", "second"));
    p.run(&["up", "app", "--plan", "plan.json"])
        .expect_code(1)
        .contains("stack file")
        .contains("changed");
    assert_eq!(
        p.state_snapshot(),
        before,
        "a refused plan changed the state"
    );
}

#[test]
fn saved_plans_refuse_what_they_cannot_hold() {
    let p = Project::new(BIN);
    p.stack("app", STACK);
    p.stack("other", "[resources.x]\ntype = \"std:Data\"\ninput = 1\n");
    p.run(&["preview", "--out", "plan.json"])
        .expect_code(1)
        .contains("one stack");
    p.run(&["up", "app", "--plan", "plan.json", "--target", "a"])
        .expect_code(2)
        .contains("--target");
    std::fs::write(p.root().join("plan.json"), "{\"plan\": 1}").expect("write");
    p.run(&["up", "app", "--plan", "plan.json"])
        .expect_code(1)
        .contains("is not a plan saved by `skistack preview --out`");
    p.run(&["preview", "other", "--out", "plan.json"]).ok();
    p.run(&["up", "app", "--plan", "plan.json"])
        .expect_code(1)
        .contains("for stack other");
}
