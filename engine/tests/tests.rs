//! The engine's lifecycle tests, in process: stack files planned and
//! applied through the public API onto a fake provider and a SQLite state,
//! with no binary spawned. One test binary; scenarios live in `lifecycle`.

mod lifecycle;
mod support;
