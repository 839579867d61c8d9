//! Times the engine's hot path on a fresh state file: 10,000 resources, each
//! recorded as an intent (`begin`) then a result (`commit_resource`).
//!
//! Run with `cargo run --release -p skistack-state --example bench_store`.

use std::error::Error;
use std::time::Instant;

use skistack_engine::{Intent, OpKind, RecordOptions, ResourceRecord, StackKey, StateStore};
use skistack_engine::{Map, Value};
use skistack_state::SqliteStore;

const RESOURCES: usize = 10_000;

fn main() -> Result<(), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(
        &dir.path().join("state.db"),
        std::sync::Arc::new(skistack_state::KeyFile::new(dir.path().join("state.key"))),
    )?;
    let key = StackKey::new("bench", "default");

    // Inputs and outputs of a typical size (a dozen attributes).
    let mut inputs = Map::new();
    for i in 0..12 {
        inputs.insert(
            format!("property_{i}"),
            Value::String(format!("value-{i}-abcdefghijklmnop")),
        );
    }
    inputs.insert("password".into(), Value::secret("hunter2".into()));
    let mut outputs = inputs.clone();
    outputs.insert(
        "arn".into(),
        "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0123456789".into(),
    );

    let mut begin_total = std::time::Duration::ZERO;
    let mut commit_total = std::time::Duration::ZERO;
    let start = Instant::now();
    for i in 0..RESOURCES {
        let name = format!("resource[{i}]");
        let op = Intent {
            address: name.clone(),
            kind: OpKind::Create,
            type_token: "aws:ec2:Vpc".into(),
            resource_id: None,
            inputs: inputs.clone(),
            started_at: 0,
        };
        let t = Instant::now();
        let id = store.begin(&key, &op)?;
        begin_total += t.elapsed();
        let record = ResourceRecord {
            address: name,
            type_token: "aws:ec2:Vpc".into(),
            id: format!("vpc-{i:08x}"),
            inputs: inputs.clone(),
            outputs: outputs.clone(),
            dependencies: vec![format!("resource[{}]", i / 2)],
            options: RecordOptions::default(),
        };
        let t = Instant::now();
        store.commit_resource(&key, Some(id), &record)?;
        commit_total += t.elapsed();
    }
    let total = start.elapsed();

    let t = Instant::now();
    let state = store.load(&key)?;
    let load = t.elapsed();

    let per = |d: std::time::Duration| d.as_secs_f64() * 1e6 / RESOURCES as f64;
    println!(
        "{RESOURCES} begin + commit_resource pairs in {:.2} s",
        total.as_secs_f64()
    );
    println!("  begin:           {:.1} µs each", per(begin_total));
    println!("  commit_resource: {:.1} µs each", per(commit_total));
    println!(
        "load of {} resources in {:.1} ms",
        state.resources.len(),
        load.as_secs_f64() * 1e3
    );
    Ok(())
}
