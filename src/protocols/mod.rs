//! Search strategies. A protocol only describes effects: given a message at a peer, it says what to send and
//! what happened (a duplicate, a hit reaching the source, a timer to set). The engine applies the effects
//! (latency, queues, metrics), so a protocol can be tested on a hand-built graph without the engine.

pub mod broadcast;
pub mod client_server;
pub mod expanding_ring;
pub mod fast;
pub mod flooding;
pub mod message;
pub mod outbox;
pub mod preds;
pub mod random_walk;
pub mod routes;
pub mod view;
mod walker;

pub use fast::{FastPaths, Receipt};
pub use message::{MSG_KINDS, Message, MsgKind};
pub use outbox::{Fanout, Outbox};
pub use view::{Links, View};

use crate::content::ObjectId;
use crate::graph::PeerId;
use crate::rng::SimRng;
use crate::scenario::StrategySpec;
use crate::scenario::reader::{R, Reader};

/// What the engine knows of a query, passed to the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueryInfo {
    /// The engine's id of the query while it runs (ids are reused once a query ends): what `Message::query`
    /// and `Timer::query` carry, and what a protocol indexes its per-query state by.
    pub query: u32,
    pub source: PeerId,
    pub object: ObjectId,
    /// The source has received a hit (the query is satisfied).
    pub satisfied: bool,
    /// The query counts in runs.csv (issued at or after warmup).
    pub measured: bool,
    /// A tracer follows the query hop by hop (`gnutsim trace`): every message's fate must be known as it
    /// arrives, so the protocol tells repeats then, not at the end ([`Finished::late_repeats`]).
    pub traced: bool,
}

#[cfg(test)]
impl QueryInfo {
    /// Query 0 of the protocols' own tests: for object 0 from `source`, measured, not yet satisfied, untraced.
    pub fn first_from(source: PeerId) -> QueryInfo {
        QueryInfo {
            query: 0,
            source,
            object: 0,
            satisfied: false,
            measured: true,
            traced: false,
        }
    }
}

/// What a protocol tells of a query when it is over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Finished {
    /// Distinct peers other than the source that processed it.
    pub reached: u64,
    /// Query messages it reported as first receipts on arrival that were repeats (a peer had seen the query):
    /// a protocol may tell those at the end instead, which keeps a per-query set out of the event loop (random
    /// walks, whose sets are megabytes when many walks run at once). The totals are the same.
    pub late_repeats: u64,
}

impl Finished {
    /// A query that reached `reached` peers, its repeats all told on arrival.
    pub fn reached(reached: u64) -> Finished {
        Finished {
            reached,
            late_repeats: 0,
        }
    }
}

/// A timer: after `delay_us`, node `node` acts for `query` (the protocol's `timer` is called with `node` and
/// `ring`), unless it has left since it set the timer (it then has forgotten the query).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timer {
    pub delay_us: u64,
    pub query: u32,
    /// The node that sets the timer and acts when it fires (the sender of what it causes): the query's source (an
    /// expanding ring's wait) or a server (its service time).
    pub node: PeerId,
    /// The expanding ring the timer starts (0 for other protocols). At most 2^24 - 1.
    pub ring: u32,
}

/// Figures a protocol keeps itself (the central index's utilisation).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ProtocolStats {
    /// Server-seconds of service given to measured queries.
    pub busy_s: f64,
    pub servers: u32,
}

/// A search strategy.
pub trait Protocol {
    /// The source issues query `q`.
    fn start(&mut self, q: &QueryInfo, view: View<'_>, out: &mut Outbox);
    /// Node `msg.to` processes `msg`.
    fn handle(&mut self, msg: &Message, q: &QueryInfo, view: View<'_>, out: &mut Outbox);
    /// A timer of query `q` set by `node` fires (see [`Timer`]).
    fn timer(
        &mut self,
        _node: PeerId,
        _ring: u32,
        _q: &QueryInfo,
        _view: View<'_>,
        _out: &mut Outbox,
    ) {
    }
    /// Query `query` is over (nothing of it in flight): free its state, and tell how many peers it reached.
    fn finish(&mut self, query: u32) -> Finished;
    /// Nodes beyond the peers (servers), which carry load too.
    fn extra_nodes(&self) -> u32 {
        0
    }
    fn stats(&self) -> ProtocolStats {
        ProtocolStats::default()
    }
}

/// What building a protocol for one run needs beyond its spec.
pub struct BuildEnv {
    /// Peers of the overlay (node ids below this are peers).
    pub peers: u32,
    /// `content.replicate_on_hit = "path"`: a hit leaves a copy on every peer of its way back.
    pub copy_along_path: bool,
    /// The protocol's own random stream, the same for every strategy of the replication.
    pub rng: SimRng,
}

/// A strategy kind: its spec (the keys of its `[[strategy]]` table) and the protocol built from it. Each kind
/// implements this beside its protocol; `crate::strategies` lists the kinds.
pub trait BuildProtocol: StrategySpec + Sized {
    /// The `kind` value of its `[[strategy]]` tables.
    const KIND: &'static str;
    type Protocol: Protocol + FastPaths;
    /// Reads the kind's keys (`name`, `kind` and `timeout` are read already), filling defaults.
    fn read(keys: &mut Reader) -> R<Self>;
    /// The protocol for one run.
    fn build(&self, env: BuildEnv) -> Self::Protocol;
}
