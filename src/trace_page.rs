//! The animated trace page of one query on a world: what `gnutsim trace --format html` writes and what a run
//! keeps for report.html. It fills the plain [`Scene`] that `output::trace_html` draws from a [`World`] (the
//! output layer may not name the world).

use crate::output::trace_html::{self, Scene};
use crate::results::trace::TracedQuery;
use crate::scenario::{Scenario, Strategy};
use crate::strategies;
use crate::world::World;

/// A report leaves the animation out above this many messages: the page would grow past a few megabytes and a
/// browser would crawl through it (`gnutsim trace --format html` still writes it on request).
pub const REPORT_MAX_MESSAGES: usize = 20_000;

/// A report also leaves out a page above this size: results folders are committed (the repository keeps
/// results/ under 20 MB), and `gnutsim trace --format html` writes any page on request.
pub const REPORT_MAX_BYTES: usize = 1_000_000;

/// How many queries a run tries, in issue order, to find one that succeeds for its report (each try replays the
/// run up to that query's end, so only early queries are cheap).
const REPORT_TRIES: u64 = 10;

/// The page for traced query `t` on `world`, headed by `title`.
pub fn page(world: &World, t: &TracedQuery, title: String) -> String {
    // A broadcast asks for no object: nobody is ringed as a holder.
    let mut holders: Vec<u32> = if t.broadcast {
        Vec::new()
    } else {
        world.content.holders(t.object).to_vec()
    };
    holders.sort_unstable();
    let scene = Scene {
        title,
        graph: &world.graph,
        ultrapeers: world.ultrapeers.as_deref(),
        holders,
        roles: world.roles.as_ref(),
        offline: offline_spells(world, t),
    };
    trace_html::render(t, &scene)
}

/// The peers' offline spells overlapping the replay (from the query's issue to its last message), clipped to it.
fn offline_spells(world: &World, t: &TracedQuery) -> Vec<(u32, u64, u64)> {
    let Some(c) = &world.churn else {
        return Vec::new();
    };
    let (a, b) = (
        t.issued_us,
        t.hops
            .iter()
            .map(|h| h.arrived_us.unwrap_or(h.sent_us))
            .max()
            .unwrap_or(t.issued_us)
            // One microsecond past the last message, so a peer still offline then shows offline at the end.
            .max(t.issued_us)
            + 1,
    );
    let s = &c.schedule;
    let mut online = s.initially_online.clone();
    let mut since = vec![a; online.len()];
    let mut spells = Vec::new();
    for e in &s.events {
        if e.time_us >= b {
            break;
        }
        let p = e.peer as usize;
        if e.time_us >= a && !e.join && online[p] {
            since[p] = e.time_us;
        }
        if e.time_us >= a && e.join && !online[p] {
            spells.push((e.peer, since[p], e.time_us));
        }
        online[p] = e.join;
    }
    for (p, &on) in online.iter().enumerate() {
        if !on {
            spells.push((p as u32, since[p].max(a), b));
        }
    }
    spells.sort_unstable();
    spells
}

/// What a run keeps for report.html: the page of the first of its first queries that succeeds (else of its
/// first query), or a note saying why there is none. Traced on the world the run already built.
pub fn for_report(
    s: &Scenario,
    st: &Strategy,
    world: &World,
    title: String,
) -> Result<String, String> {
    let mut first = None;
    for i in 0..REPORT_TRIES {
        // Recording stops past what a page shows; the messages beyond are counted for the refusal below.
        let Some(t) = strategies::trace_query_capped(s, st, world, i, REPORT_MAX_MESSAGES + 1)
        else {
            break;
        };
        let ok = t.outcome == Some(crate::metrics::Outcome::Success);
        if ok || first.is_none() {
            first = Some(t);
        }
        if ok {
            break;
        }
    }
    let Some(t) = first else {
        return Err("the run issues no query that ends".into());
    };
    let messages = t.hops.len() + t.unrecorded as usize;
    if messages > REPORT_MAX_MESSAGES {
        return Err(format!(
            "query {} sends {} messages: more than a page replays readably ({REPORT_MAX_MESSAGES}); watch it with \
             gnutsim trace --format html on a smaller overlay",
            t.index, messages
        ));
    }
    let html = page(world, &t, title);
    if html.len() > REPORT_MAX_BYTES {
        return Err(format!(
            "the page of query {} ({} messages on {} peers) would take {:.1} MB, more than a results folder \
             keeps ({:.0} MB); watch it with gnutsim trace <scenario> --strategy {} --query {} --format html -o FILE",
            t.index,
            t.hops.len(),
            world.peers(),
            html.len() as f64 / 1e6,
            REPORT_MAX_BYTES as f64 / 1e6,
            st.name,
            t.index
        ));
    }
    Ok(html)
}
