//! Follows one query hop by hop, for `gnutsim trace`: every message of that query, who sent it, when it arrived
//! and what it did there. Records only; `output::trace` formats.

use rustc_hash::FxHashMap;

use crate::metrics::Outcome;
use crate::protocols::{Message, MsgKind};

/// What happened to a message at its destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Still in flight when the record was taken (only for an unfinished trace).
    InFlight,
    /// A query (or walker) reached a peer that had not seen it.
    New,
    /// A query reached a peer that had already seen it.
    Duplicate,
    /// A hit (or answer) moved on towards the source.
    Passed,
    /// A hit reached the source.
    HitAtSource,
    /// Lost to churn (its peer had left, or its link broke).
    Lost,
    /// Dropped by a full queue.
    Dropped,
    /// Processed with no further effect of note (a check, an answer that was not a hit).
    Handled,
}

impl Fate {
    pub fn name(&self) -> &'static str {
        match self {
            Fate::InFlight => "in flight",
            Fate::New => "new",
            Fate::Duplicate => "duplicate",
            Fate::Passed => "passed on",
            Fate::HitAtSource => "HIT at source",
            Fate::Lost => "lost",
            Fate::Dropped => "dropped",
            Fate::Handled => "handled",
        }
    }
}

/// One message of the traced query.
#[derive(Clone, Debug, PartialEq)]
pub struct Hop {
    pub sent_us: u64,
    pub arrived_us: Option<u64>,
    /// The node that sent it (the previous hop).
    pub from: u32,
    pub to: u32,
    pub kind: MsgKind,
    /// Hops travelled by the query when it arrives (for hits: the hop count of the query that found the copy).
    pub hops: u32,
    pub fate: Fate,
}

/// The traced query and its messages.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TracedQuery {
    pub index: u64,
    pub source: u32,
    pub object: u32,
    pub issued_us: u64,
    pub hops: Vec<Hop>,
    pub outcome: Option<Outcome>,
    pub first_hit: Option<(u32, u64)>,
    pub reached: u64,
    /// Under churn: when a timer of the query found its source gone (it had left, forgetting the query), so what
    /// the timer would have started (a wider ring) was lost.
    pub abandoned_us: Option<u64>,
}

/// Watches for query `index` and records its messages while it runs.
pub struct Tracer {
    pub want: u64,
    /// The engine's id of the query while it runs.
    pub query: Option<u32>,
    pub done: bool,
    pub trace: TracedQuery,
    open: FxHashMap<Message, usize>,
}

impl Tracer {
    pub fn new(index: u64) -> Tracer {
        Tracer {
            want: index,
            query: None,
            done: false,
            trace: TracedQuery::default(),
            open: FxHashMap::default(),
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
