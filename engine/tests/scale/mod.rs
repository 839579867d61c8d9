//! Cost linear in the size of the stack: each workflow (validate, preview,
//! up, a no-op preview, destroy) runs on a chained stack of N resources and
//! of 8N, in one process, timed in this thread's CPU time. Linear work takes
//! about 8 times as long on the larger stack and quadratic work about 64
//! times; the bound, 20, sits far from both, so a busy machine (which slows
//! both sizes alike) does not move the verdict, while one per-item linear
//! scan (the duplicate-name check once was one) does. No wall-clock bound.
//!
//! The engine runs every step on the test's current-thread runtime (it
//! spawns no blocking threads), so the thread's CPU time is all its work,
//! SQLite's included, and none of the tests running beside it.

use std::future::Future;
use std::time::Duration;

use crate::support::Harness;

/// Resources in a chain; each reads the one before it.
const CHAIN: usize = 20;
const SMALL: usize = 1_500;
const GROWTH: usize = 8;
/// The most the time may grow when the stack grows `GROWTH` times.
const MAX_GROWTH: f64 = 20.0;

/// N `fake:cloud:Thing`s in chains of `CHAIN`, each reading the one before
/// it, and all of them one shared `root` (the shape of many resources in one
/// VPC: a node with N edges, where a per-edge scan would be quadratic).
fn chained(n: usize) -> String {
    let mut text = String::with_capacity(n * 96);
    text.push_str("[resources.root]\ntype = \"fake:cloud:Thing\"\nname = \"root\"\n\n");
    for i in 0..n - 1 {
        let (chain, link) = (i / CHAIN, i % CHAIN);
        text.push_str(&format!(
            "[resources.r{chain}_{link}]\ntype = \"fake:cloud:Thing\"\nname = \"${{root.arn}}-{i}\"\n"
        ));
        if link > 0 {
            text.push_str(&format!("ref = \"${{r{chain}_{}.arn}}\"\n", link - 1));
        }
        text.push('\n');
    }
    text
}

/// N `fake:cloud:Thing`s in four declarations: a `count` and a `for_each`
/// over N/4 keys, and two more whose instances each read the instance of the
/// same index or key (`r[count.index]`, `e[each.key]`): one reference must
/// not copy every instance.
fn counted(n: usize) -> String {
    let quarter = n / 4;
    let keys: Vec<String> = (0..quarter).map(|i| format!("\"k{i}\"")).collect();
    format!(
        r#"
[config]
keys = [{keys}]

[resources.r]
type = "fake:cloud:Thing"
count = {quarter}
name = "r-${{count.index}}"

[resources.s]
type = "fake:cloud:Thing"
count = {quarter}
ref = "${{r[count.index].arn}}"

[resources.e]
type = "fake:cloud:Thing"
for_each = "${{config.keys}}"
name = "e-${{each.key}}"

[resources.f]
type = "fake:cloud:Thing"
for_each = "${{config.keys}}"
ref = "${{e[each.key].arn}}"
"#,
        keys = keys.join(", ")
    )
}

/// This thread's CPU time.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec, and the clock id is one
    // that every Linux and macOS kernel this runs on provides.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

async fn cpu_of<F: Future<Output = ()>>(work: F) -> Duration {
    let start = thread_cpu();
    work.await;
    thread_cpu() - start
}

/// The CPU time of each workflow on a stack of `n` of `shape`, in order.
async fn costs(shape: fn(usize) -> String, n: usize) -> Vec<(&'static str, Duration)> {
    let h = Harness::new();
    h.write("big", &shape(n));
    let mut out = Vec::new();
    let validate = cpu_of(async {
        h.project.load("big", true).expect("the stack is valid");
    });
    out.push(("validate", validate.await));
    let preview = cpu_of(async {
        let plan = h.preview("big").await.expect("preview");
        assert_eq!(plan.changes.len(), n);
    });
    out.push(("preview", preview.await));
    let up = cpu_of(async {
        h.up("big").await.succeeded();
    });
    out.push(("up", up.await));
    let noop = cpu_of(async {
        let plan = h.preview("big").await.expect("preview");
        assert!(plan.is_empty(), "a second preview changes nothing");
    });
    out.push(("no-op preview", noop.await));
    let destroy = cpu_of(async {
        h.destroy("big").await.succeeded();
    });
    out.push(("destroy", destroy.await));
    assert!(h.addresses("big").is_empty(), "destroy removed everything");
    out
}

/// Panics unless every workflow on `shape` grows about linearly from
/// `SMALL` resources to `GROWTH` times as many.
async fn assert_linear(shape: fn(usize) -> String) {
    // A first small run warms allocators and caches, so that the small
    // figures measured next are not inflated by one-time costs.
    costs(shape, SMALL).await;
    let small = costs(shape, SMALL).await;
    let big = costs(shape, SMALL * GROWTH).await;
    let mut report = String::new();
    let mut worst = 0.0f64;
    for ((what, s), (_, b)) in small.iter().zip(&big) {
        let growth = b.as_secs_f64() / s.as_secs_f64().max(1e-6);
        worst = worst.max(growth);
        report.push_str(&format!(
            "{what}: {s:?} at {SMALL}, {b:?} at {} ({growth:.1}x)\n",
            SMALL * GROWTH
        ));
    }
    eprint!("{report}");
    assert!(
        worst < MAX_GROWTH,
        "a workflow grew faster than linearly (linear is about {GROWTH}x, quadratic {}x):\n{report}",
        GROWTH * GROWTH
    );
}

#[tokio::test]
async fn chained_resources_cost_linear_time() {
    assert_linear(chained).await;
}

#[tokio::test]
async fn counted_and_keyed_instances_cost_linear_time() {
    assert_linear(counted).await;
}
