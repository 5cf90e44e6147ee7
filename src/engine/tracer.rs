//! Follows one query hop by hop, for `gnutsim trace`: every message of that query, who sent it, when it arrived
//! and what it did there. Records only, into the rows of `results::trace`; the output formats them.

use rustc_hash::FxHashMap;

use crate::metrics::Outcome;
use crate::protocols::Message;
pub use crate::results::trace::{Fate, Hop, TracedQuery};

/// Watches for query `index` and records its messages while it runs.
pub struct Tracer {
    pub want: u64,
    /// The engine's id of the query while it runs.
    pub query: Option<u32>,
    pub done: bool,
    pub trace: TracedQuery,
    open: FxHashMap<Message, usize>,
    /// Messages recorded at most; the rest are counted in `trace.unrecorded`.
    cap: usize,
}

impl Tracer {
    pub fn new(index: u64) -> Tracer {
        Tracer {
            want: index,
            query: None,
            done: false,
            trace: TracedQuery::default(),
            open: FxHashMap::default(),
            cap: usize::MAX,
        }
    }

    /// A tracer that records the first `cap` messages of the query and counts the others.
    pub fn capped(index: u64, cap: usize) -> Tracer {
        Tracer {
            cap,
            ..Tracer::new(index)
        }
    }

    pub fn started(&mut self, index: u64, query: u32, source: u32, object: u32, now: u64) {
        if index == self.want && !self.done {
            self.query = Some(query);
            self.trace.index = index;
            self.trace.source = source;
            self.trace.object = object;
            self.trace.issued_us = now;
        }
    }

    #[inline]
    pub fn watching(&self, query: u32) -> bool {
        self.query == Some(query)
    }

    pub fn sent(&mut self, now: u64, from: u32, msg: &Message) {
        if self.trace.hops.len() >= self.cap {
            self.trace.unrecorded += 1;
            return;
        }
        self.open.insert(*msg, self.trace.hops.len());
        self.trace.hops.push(Hop {
            sent_us: now,
            arrived_us: None,
            from,
            to: msg.to,
            kind: msg.kind,
            hops: msg.hops & 0xFFFF,
            fate: Fate::InFlight,
        });
    }

    pub fn arrived(&mut self, now: u64, msg: &Message, fate: Fate) {
        if let Some(i) = self.open.remove(msg) {
            let h = &mut self.trace.hops[i];
            h.arrived_us = Some(now);
            h.fate = fate;
        }
    }

    /// A timer of the watched query found that its source had left.
    pub fn abandoned(&mut self, now: u64) {
        self.trace.abandoned_us.get_or_insert(now);
    }

    pub fn finished(&mut self, outcome: Outcome, first_hit: Option<(u32, u64)>, reached: u64) {
        self.trace.outcome = Some(outcome);
        self.trace.first_hit = first_hit;
        self.trace.reached = reached;
        self.query = None;
        self.done = true;
        // Messages in flight at the end are those the engine never delivered: there are none once a query ends.
        self.trace
            .hops
            .sort_by_key(|h| (h.arrived_us.unwrap_or(h.sent_us), h.sent_us));
    }
}
