//! Messages: what they are (their kind, for routing and for the message counters) and what they carry.

use crate::graph::PeerId;

/// What a message is, for routing and for the message counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum MsgKind {
    /// A Gnutella Query (flooding, expanding ring).
    Query = 0,
    /// A QueryHit travelling back along the reverse path.
    Hit = 1,
    /// A random walker taking a step.
    Walk = 2,
    /// A walker's hit travelling back along its loop-erased path.
    WalkHit = 3,
    /// A walker asking the source whether the query is satisfied.
    Check = 4,
    /// The source's answer: go on.
    CheckGo = 5,
    /// The source's answer: stop.
    CheckStop = 6,
    /// A query sent to the central index.
    Request = 7,
    /// The index's answer: the object is held by an online peer.
    AnswerHit = 8,
    /// The index's answer: nobody online holds it.
    AnswerMiss = 9,
}

/// Number of [`MsgKind`]s (size of per-kind counter arrays).
pub const MSG_KINDS: usize = 10;

impl MsgKind {
    /// The kind whose discriminant is `bits` (the engine's packed events store it in 4 bits).
    #[inline]
    pub fn from_bits(bits: u8) -> MsgKind {
        match bits {
            1 => MsgKind::Hit,
            2 => MsgKind::Walk,
            3 => MsgKind::WalkHit,
            4 => MsgKind::Check,
            5 => MsgKind::CheckGo,
            6 => MsgKind::CheckStop,
            7 => MsgKind::Request,
            8 => MsgKind::AnswerHit,
            9 => MsgKind::AnswerMiss,
            _ => MsgKind::Query,
        }
    }

    /// Counted in `query_messages`: the search itself (queries, walker steps, requests to the index).
    pub fn is_query(self) -> bool {
        matches!(self, MsgKind::Query | MsgKind::Walk | MsgKind::Request)
    }

    /// Counted in `hit_messages`: answers that carry a hit back towards the source.
    pub fn is_hit(self) -> bool {
        matches!(self, MsgKind::Hit | MsgKind::WalkHit | MsgKind::AnswerHit)
    }
}

/// A message in flight. `query` is the engine's slot of the query it belongs to; `from` and `hops` mean what the
/// protocol that sent it says (for a flooding query: the previous hop and the hops travelled on arrival).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Message {
    pub to: PeerId,
    pub from: PeerId,
    pub query: u32,
    pub hops: u32,
    pub kind: MsgKind,
}
