//! The AWS provider's integration tests, one binary: one module per area,
//! the moto launcher and helpers in [`common`], and the conformance harness
//! every type's test runs in [`conformance`]. Most tests start a moto server
//! of their own, so they share no AWS state.

mod common;
mod conformance;

mod autoscaling;
mod ec2;
mod ecr;
mod ecs;
mod elbv2;
mod find;
mod iam;
mod logs;
mod retries;
