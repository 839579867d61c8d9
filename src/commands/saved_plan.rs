//! The saved-plan file of `preview --out FILE` and `up --plan FILE`: the
//! engine's [`SavedPlan`] (digests only) beside the plan as `preview
//! --json` shows it (secrets hidden), for people and pipelines to review.
//!
//! The file is written to a temporary name and renamed, so a reader never
//! sees half a plan; reading refuses anything that is not a saved plan.

use std::path::Path;

use skistack_engine::{SavedPlan, StackPreview};

use super::Exit;
use crate::render;

/// The key of the engine's part in the file.
const SAVED_KEY: &str = "skistack_saved_plan";

/// Writes the saved plan of `preview` to `path`.
pub fn write(path: &Path, preview: &StackPreview) -> Result<(), Exit> {
    let Some(saved) = &preview.saved else {
        return Err(Exit::Failed("the preview made no saved plan".into()));
    };
    let saved = serde_json::to_value(saved)
        .map_err(|e| Exit::Failed(format!("cannot encode the saved plan: {e}")))?;
    let doc = serde_json::json!({
        SAVED_KEY: saved,
        "plan": render::plan_json(&preview.key, &preview.plan),
    });
    let text = serde_json::to_string_pretty(&doc)
        .map_err(|e| Exit::Failed(format!("cannot encode the saved plan: {e}")))?;
    let mut temp = path.as_os_str().to_owned();
    temp.push(".partial");
    let failed = |e: std::io::Error| Exit::Failed(format!("cannot write {}: {e}", path.display()));
    std::fs::write(&temp, text + "\n").map_err(failed)?;
    std::fs::rename(&temp, path).map_err(failed)
}

/// Reads the saved plan at `path`.
pub fn read(path: &Path) -> Result<SavedPlan, Exit> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Exit::Failed(format!(
            "cannot read the saved plan {}: {e}",
            path.display()
        ))
    })?;
    let not_a_plan = |why: String| {
        Exit::Failed(format!(
            "{} is not a plan saved by `skistack preview --out` ({why})",
            path.display()
        ))
    };
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| not_a_plan(e.to_string()))?;
    let saved = doc
        .get(SAVED_KEY)
        .ok_or_else(|| not_a_plan(format!("no `{SAVED_KEY}`")))?;
    serde_json::from_value(saved.clone()).map_err(|e| not_a_plan(e.to_string()))
}
