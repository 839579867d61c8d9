//! `skistack import STACK NAME ID`.

use super::{Exit, project};
use crate::cli::{Global, ImportArgs};
use crate::render;

pub async fn run(global: &Global, args: &ImportArgs) -> Result<Exit, Exit> {
    let project = project(global)?;
    let loaded = project.load(&args.stack, true)?;
    let key = project.key(&args.stack);
    let _lock = super::lock::take(global, &project, &args.stack, "import").await?;
    let imported = project.import(&loaded, &args.name, &args.id).await?;
    let r = &imported.record;
    println!(
        "Imported {} ({}) {} into stack {key}.",
        r.address, r.type_token, r.id
    );
    if imported.differences.is_empty() {
        println!("It matches its declaration: the next up leaves it as it is.");
        return Ok(Exit::Ok);
    }
    println!("It differs from its declaration; the next up changes:");
    for c in &imported.differences {
        let mark = if c.forces_replace {
            "  (forces replacement)"
        } else {
            ""
        };
        for line in render::change_lines(&c.name, c.old.as_ref(), c.new.as_ref()) {
            println!("    {line}{mark}");
        }
    }
    println!("Run `skistack preview {}` to see the plan.", args.stack);
    Ok(Exit::Ok)
}
