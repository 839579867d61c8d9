//! The engine's lifecycle tests, in process: stack files planned and
//! applied through the public API onto a fake provider and a SQLite state,
//! with no binary spawned. One test binary; scenarios live in `lifecycle`,
//! and `scale` checks that the workflows' cost stays linear in the stack's size.

mod lifecycle;
mod scale;
mod support;
