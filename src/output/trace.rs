//! The text of `gnutsim trace`: one query hop by hop, then its totals.

use std::fmt::Write;

use crate::adversaries::{Role, Roles};
use crate::format::float;
use crate::results::trace::{Fate, Hop, TracedQuery};

/// The hop-by-hop table and totals. `peers` tells servers (ids at or above it) from peers; `roles` marks the
/// bad actors (`(D)` dropper, `(P)` polluter, `(F)` free rider).
pub fn render(t: &TracedQuery, peers: u32, roles: Option<&Roles>) -> String {
    let node = |id: u32| {
        if id >= peers {
            return format!("server{}", id - peers);
        }
        match roles.map_or(Role::Honest, |r| r.of(id)) {
            Role::Honest => id.to_string(),
            Role::Dropper => format!("{id} (D)"),
            Role::Polluter => format!("{id} (P)"),
            Role::FreeRider => format!("{id} (F)"),
        }
    };
    let mut o = String::new();
    let at = float(t.issued_us as f64 / 1e6);
    let _ = if t.broadcast {
        writeln!(
            o,
            "broadcast {}: peer {} sends a payload at t = {at} s\n",
            t.index, t.source
        )
    } else {
        writeln!(
            o,
            "query {}: peer {} asks for object {} at t = {at} s\n",
            t.index, t.source, t.object
        )
    };
    let _ = writeln!(
        o,
        "{:>12} {:>10} {:>5}  {:<8} {:>9} {:>9}  result",
        "time_s", "+ms", "hop", "message", "from", "to"
    );
    for h in &t.hops {
        let at = h.arrived_us.unwrap_or(h.sent_us);
        let _ = writeln!(
            o,
            "{:>12} {:>10} {:>5}  {:<8} {:>9} {:>9}  {}",
            format!("{:.6}", at as f64 / 1e6),
            format!("{:.3}", (at - t.issued_us) as f64 / 1e3),
            h.hops,
            h.kind.name(),
            node(h.from),
            node(h.to),
            if h.kind == crate::results::kinds::MsgKind::FakeHit && h.fate == Fate::HitAtSource {
                "fake hit at source"
            } else {
                h.fate.name()
            }
        );
    }
    let count = |f: &dyn Fn(&Hop) -> bool| t.hops.iter().filter(|h| f(h)).count();
    let queries = count(&|h| h.kind.is_query());
    let hits = count(&|h| h.kind.is_hit());
    let _ = writeln!(
        o,
        "\ntotals: {} messages ({} query, {} hit, {} other), {} duplicates, {} lost, {} dropped{}; {} peers reached",
        t.hops.len(),
        queries,
        hits,
        t.hops.len() - queries - hits,
        count(&|h| h.fate == Fate::Duplicate),
        count(&|h| h.fate == Fate::Lost),
        count(&|h| h.fate == Fate::Dropped),
        match count(&|h| h.fate == Fate::Swallowed) {
            0 => String::new(),
            n => format!(", {n} swallowed"),
        },
        t.reached
    );
    if roles.is_some() {
        let fakes = count(&|h| h.kind == crate::results::kinds::MsgKind::FakeHit);
        let _ = writeln!(
            o,
            "bad actors: (D) dropper, (P) polluter, (F) free rider; {fakes} fake hits"
        );
    }
    if let Some(at) = t.abandoned_us {
        let _ = writeln!(
            o,
            "at t = {} s the source had left (forgetting the query): no wider ring",
            float(at as f64 / 1e6)
        );
    }
    let outcome = t.outcome.map_or("unfinished", |o| o.name());
    match t.first_hit {
        Some((hops, latency)) if t.broadcast => {
            let _ = writeln!(
                o,
                "outcome: {outcome}: 99% of the peers online at issue had the payload after {} s (the last of \
                 them {hops} hops away)",
                float(latency as f64 / 1e6)
            );
        }
        Some((hops, latency)) => {
            let _ = writeln!(
                o,
                "outcome: {outcome}: first hit after {} s, found {hops} hops away",
                float(latency as f64 / 1e6)
            );
        }
        None => {
            let _ = writeln!(o, "outcome: {outcome}");
        }
    }
    o
}

/// The links that carried a first copy of the query (for the Graphviz drawing).
pub fn first_copy_links(t: &TracedQuery) -> Vec<(u32, u32)> {
    t.hops
        .iter()
        .filter(|h| h.fate == Fate::New && h.kind.is_query())
        .map(|h| (h.from, h.to))
        .collect()
}
