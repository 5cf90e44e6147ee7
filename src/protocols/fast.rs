//! Optional shortcuts the event loop takes for speed. Each must agree exactly with the general step
//! ([`super::Protocol::handle`] through an outbox): the engine's tests run every protocol with and without its
//! shortcuts and compare every output. A protocol without shortcuts implements the trait with its defaults.

use super::{Fanout, Message, QueryInfo, View};
use crate::content::ObjectId;
use crate::graph::PeerId;

/// What a query did at a peer, when that is all its step does (a flood's query outside two-tier overlays): the
/// engine applies it without building a step ([`FastPaths::receive_query`]).
#[derive(Clone, Copy, Debug)]
pub enum Receipt {
    /// The peer had seen the query: nothing is sent.
    Duplicate,
    /// The peer's first copy: a hit back to the sender when the peer holds the object, then the fanout, if any.
    First {
        hit: Option<Message>,
        fanout: Option<Fanout>,
    },
    /// A walker's step onto the peer (a duplicate when the peer had seen the query), and what it sends next: its
    /// next step or its check with the source, or nothing when out of steps or stuck.
    Step {
        duplicate: bool,
        next: Option<Message>,
    },
    /// A message that is no query (a walker's check with its source, the answer) handled at its peer, whose whole
    /// step is to send `next`, if anything.
    Relay { next: Option<Message> },
}

/// Shortcuts of a protocol's step, and hints, for the event loop.
pub trait FastPaths {
    /// Whether an event sends about one message (a walker's step, its check, the answer): the event loop then
    /// fetches ahead the end of the queue's bucket that the next message will go to, which the next latency
    /// draw tells. Not for floods, whose events mostly send nothing and sometimes many. Not under churn either,
    /// where a bucket holds few events (walks at 10^6 peers under churn were no faster with it, docs/performance.md).
    const ONE_SEND_AN_EVENT: bool = false;
    /// Whether a message of `query` arriving at `peer` may make it send to its neighbours. Only a prefetch
    /// hint for the event loop (false: do not fetch the peer's neighbour list ahead of time), so it must be cheap
    /// and may be wrong either way.
    #[inline]
    fn may_expand(&self, _query: u32, _peer: PeerId) -> bool {
        true
    }
    /// Whether a message that has travelled `hops` hops (its field) may still be passed on. A hint as
    /// [`FastPaths::may_expand`] is, asked only under churn, where a peer's links are a list behind a pointer
    /// whose fetch ahead stalls the event loop (without churn, asking it cost the flood time, measured).
    #[inline]
    fn may_forward(&self, _hops: u32) -> bool {
        true
    }
    /// Whether `msg` is a query its peer has already seen, so that handling it would do nothing but report a
    /// duplicate (most of a flood's messages): the engine then counts it without building a step. True must be
    /// exact; false is always allowed (the message then goes through `handle`).
    #[inline]
    fn known_duplicate(&self, _msg: &Message) -> bool {
        false
    }
    /// The whole step of `msg` at its peer when it is a [`Receipt`] (the query's object is `object`); `None`
    /// sends the message through `handle`, which must then do what the receipt would have said. Saves a flood's
    /// first copies the general step (docs/performance.md).
    #[inline]
    fn receive_query(
        &mut self,
        _msg: &Message,
        _object: ObjectId,
        _view: View<'_>,
    ) -> Option<Receipt> {
        None
    }
    /// The whole step of `msg`, a message that is no query, when it is a [`Receipt::Relay`]; `None` sends it
    /// through `handle`. Asked where the general step would start, with the query's state in `q`.
    #[inline]
    fn relay(&mut self, _msg: &Message, _q: &QueryInfo, _view: View<'_>) -> Option<Receipt> {
        None
    }
    /// [`FastPaths::receive_query`] under churn (a separate entry, so that the receipt path without churn carries
    /// no call to the churn one).
    #[inline]
    fn receive_query_in_session(
        &mut self,
        _msg: &Message,
        _object: ObjectId,
        _view: View<'_>,
    ) -> Option<Receipt> {
        None
    }
    /// Hints the processor to fetch the state that a message of `query` arriving at `peer` will touch (it is a
    /// few events ahead in the queue). No visible effect.
    #[inline]
    fn prefetch(&self, _query: u32, _peer: PeerId) {}
}
