//! The delivery tier: checks of the delivery files with hadolint and
//! check-jsonschema (from `scripts/pytools`), and the game's app built and
//! served with the machine's npm and Node.js.

mod app;
mod files;
