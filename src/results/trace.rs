//! One query hop by hop, as `gnutsim trace` shows it: every message of the query, who sent it, when it arrived
//! and what it did there. The engine's tracer fills these rows; the output formats them.

use crate::metrics::Outcome;
use crate::results::kinds::MsgKind;

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
    /// Swallowed by a dropper (`[adversaries]`): it reached the peer, which passes nothing on.
    Swallowed,
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
            Fate::Swallowed => "swallowed",
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
    /// A broadcast (no object; its "first hit" is reaching 99% of the peers online at issue).
    pub broadcast: bool,
    /// Under churn: when a timer of the query found its source gone (it had left, forgetting the query), so what
    /// the timer would have started (a wider ring) was lost.
    pub abandoned_us: Option<u64>,
    /// Messages sent after the first ones a capped trace records (counted, not in `hops`): the report's traced
    /// query stops recording beyond what a page replays, which at 10^7 peers was the run's memory peak.
    pub unrecorded: u64,
}
