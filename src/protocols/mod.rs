//! Search strategies. A protocol only describes effects: given a message at a peer, it says what to send and
//! what happened (a duplicate, a hit reaching the source). The engine applies the effects (latency, queues,
//! metrics), so a protocol can be tested on a hand-built graph without the engine.

pub mod flooding;
pub mod routes;

use crate::content::{Content, ObjectId};
use crate::graph::{Graph, PeerId};

/// What a message is, for routing and for the message counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum MsgKind {
    /// A Gnutella Query (flooding).
    Query = 0,
    /// A QueryHit travelling back along the reverse path.
    Hit = 1,
}

/// Number of [`MsgKind`]s (size of per-kind counter arrays).
pub const MSG_KINDS: usize = 2;

impl MsgKind {
    /// The kind whose discriminant is `bits` (the engine's packed events store it in 4 bits).
    #[inline]
    pub fn from_bits(bits: u8) -> MsgKind {
        match bits {
            1 => MsgKind::Hit,
            _ => MsgKind::Query,
        }
    }
}

/// A message in flight. `query` is the engine's slot of the query it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message {
    pub to: PeerId,
    pub from: PeerId,
    pub query: u32,
    /// Hops travelled by the query when it arrives (for a hit: the hop count of the query that found it).
    pub hops: u32,
    pub kind: MsgKind,
}

/// The world a protocol reads: the overlay and who holds what.
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub graph: &'a Graph,
    pub content: &'a Content,
}

/// What the engine knows of a query, passed to the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueryInfo {
    pub slot: u32,
    pub source: PeerId,
    pub object: ObjectId,
}

/// Effects of one protocol step, applied by the engine.
#[derive(Debug, Default)]
pub struct Outbox {
    pub sends: Vec<Message>,
    /// The message was a query the peer had already seen.
    pub duplicate: bool,
    /// A hit reached the source, found this many hops away.
    pub hit_at_source: Option<u32>,
}

impl Outbox {
    pub fn clear(&mut self) {
        self.sends.clear();
        self.duplicate = false;
        self.hit_at_source = None;
    }
}

/// A search strategy.
pub trait Protocol {
    /// The source issues query `q`.
    fn start(&mut self, q: &QueryInfo, view: View<'_>, out: &mut Outbox);
    /// Peer `msg.to` processes `msg`.
    fn handle(&mut self, msg: &Message, q: &QueryInfo, view: View<'_>, out: &mut Outbox);
    /// Query in `slot` is over (nothing of it in flight): free its state. Returns the number of distinct peers
    /// other than the source that processed it.
    fn finish(&mut self, slot: u32) -> u64;
}
