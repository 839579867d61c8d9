//! `[[moved]]` applied to the recorded state before planning: every
//! recorded instance that an entry covers takes its new address, chains of
//! entries followed to their end, and the records that depend on it are
//! pointed at the new address. The plan is then made against that state as
//! if the resources had always been there, so a pure rename plans nothing
//! else, and `up` writes the moves in one transaction before any step.
//!
//! Why it is safe: no cloud call is involved, and every doubtful case is an
//! error naming the entry, never a guess: two records that would end at one
//! address, a move onto an address the state already holds, a cycle. An
//! entry whose source is not recorded does nothing, so it can stay in the
//! file after it has been applied (as Terraform's `moved` blocks stay).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use crate::base::{Address, Diagnostic};
use crate::stack::{MoveDecl, Stack};
use crate::state::StackState;

/// One recorded instance that changes address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub from: String,
    pub to: String,
}

/// The state as the stack's `[[moved]]` entries leave it, and the moves
/// that apply to it (none, and the state untouched, for a stack without
/// entries).
pub fn apply_moves<'s>(
    stack: &Stack,
    state: &'s StackState,
) -> Result<(Cow<'s, StackState>, Vec<Move>), Vec<Diagnostic>> {
    if stack.moves.is_empty() {
        return Ok((Cow::Borrowed(state), Vec::new()));
    }
    let mut moves = Vec::new();
    let mut errors = Vec::new();
    let mut last_entry: BTreeMap<String, &MoveDecl> = BTreeMap::new();
    for text in state.resources.keys() {
        let Some(start) = Address::parse(text) else {
            continue;
        };
        match follow(stack, &start) {
            Ok(None) => {}
            Ok(Some((to, entry))) => {
                let to = to.to_string();
                if let Some(other) = last_entry.insert(to.clone(), entry) {
                    errors.push(clash(stack, entry, &to, Some(other)));
                }
                moves.push(Move {
                    from: text.clone(),
                    to,
                });
            }
            Err(d) => errors.push(d),
        }
    }
    let leaving: HashSet<&str> = moves.iter().map(|m| m.from.as_str()).collect();
    for m in &moves {
        if state.resources.contains_key(&m.to) && !leaving.contains(m.to.as_str()) {
            errors.push(clash(stack, last_entry[&m.to], &m.to, None));
        }
    }
    if !errors.is_empty() {
        errors.dedup_by(|a, b| a.message == b.message);
        return Err(errors);
    }
    Ok((Cow::Owned(moved_state(state, &moves)), moves))
}

/// Where the entries send the instance at `start` and the last entry on
/// the way; `None` when no entry covers it. An entry for the instance goes
/// before one for its whole declaration.
fn follow<'d>(
    stack: &'d Stack,
    start: &Address,
) -> Result<Option<(Address, &'d MoveDecl)>, Diagnostic> {
    let mut at = start.clone();
    let mut used: Vec<&MoveDecl> = Vec::new();
    loop {
        let covering = |whole: bool| {
            (stack.moves.iter())
                .filter(move |m| m.whole() == whole)
                .find_map(|m| m.destination(&at).map(|to| (m, to)))
        };
        let Some((entry, to)) = covering(false).or_else(|| covering(true)) else {
            break;
        };
        if used.iter().any(|u| std::ptr::eq(*u, entry)) {
            let lines: Vec<String> = (used.iter())
                .map(|u| stack.pos(u.span).location().to_string())
                .collect();
            return Err(Diagnostic::new(
                format!("the [[moved]] entries for `{start}` form a cycle"),
                Some(stack.pos(entry.span)),
            )
            .with_hint(format!("entries at {}: drop one", lines.join(", "))));
        }
        used.push(entry);
        at = to;
    }
    Ok(used.last().map(|entry| (at, *entry)))
}

/// The error for a move onto an address that another record holds or
/// another move also reaches.
fn clash(stack: &Stack, entry: &MoveDecl, to: &str, other: Option<&MoveDecl>) -> Diagnostic {
    let d = Diagnostic::new(
        format!("[[moved]] would put two recorded resources at `{to}`"),
        Some(stack.pos(entry.span)),
    );
    match other {
        Some(o) if !std::ptr::eq(o, entry) => d.with_hint(format!(
            "the entry at {} moves another one there; keep one",
            stack.pos(o.span).location()
        )),
        Some(_) => d.with_hint("two recorded instances reach the same address through it"),
        None => d.with_hint(format!(
            "the state already records `{to}`: if that one is stale, run `skistack state forget {} {to}`, or drop this entry",
            stack.name
        )),
    }
}

/// `state` with the moves made: records under their new addresses, and
/// every recorded dependency on a moved one renamed with it.
fn moved_state(state: &StackState, moves: &[Move]) -> StackState {
    let renamed: BTreeMap<&str, &str> = moves
        .iter()
        .map(|m| (m.from.as_str(), m.to.as_str()))
        .collect();
    let resources = (state.resources.iter())
        .map(|(address, record)| {
            let mut record = record.clone();
            if let Some(to) = renamed.get(address.as_str()) {
                record.address = (*to).to_string();
            }
            for dep in &mut record.dependencies {
                if let Some(to) = renamed.get(dep.as_str()) {
                    *dep = (*to).to_string();
                }
            }
            (record.address.clone(), record)
        })
        .collect();
    StackState {
        resources,
        outputs: state.outputs.clone(),
        pending: state.pending.clone(),
        released: state.released.clone(),
    }
}
