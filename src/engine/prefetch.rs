//! Memory hints for the events a few places ahead in the queue: at 10^5 peers and more, the event loop waits on
//! cache misses (neighbour lists, counters, per-query state) more than it computes. Distances and threshold are
//! tuned on the flood benchmarks (docs/performance.md, "Engine tuning").

use super::Engine;
use super::churn::Churn;
use super::event::Packed;
use super::queue::PushHint;
use crate::protocols::{FastPaths, Protocol};

/// Events ahead at which a peer's neighbour list is fetched (its offsets must have arrived by then).
const LINKS_AHEAD: usize = 2;
/// Events ahead at which a peer's counters (and, under churn, its mark and the message's tag) are fetched.
const COUNTERS_AHEAD: usize = 2;
/// Events ahead at which the neighbour list's offsets and the protocol's per-query state are fetched: far
/// enough that the list's own fetch does not wait for them.
const FAR_AHEAD: usize = 6;

/// Draws ahead whose bucket end is fetched, for protocols that send about one message an event
/// ([`FastPaths::ONE_SEND_AN_EVENT`]): the next event's message (this event's is drawn already by the time a
/// fetch would help)...
const PUSH_TAIL_AHEAD: usize = 1;
/// ...and, further ahead, the bucket's header, which the fetch of its end reads.
const PUSH_HEADER_AHEAD: usize = 3;

/// Below this many peers the working set stays in L2 cache and the hints only cost instructions.
pub(super) const MIN_PEERS: u32 = 32_768;

impl<P: Protocol + FastPaths> Engine<'_, P> {
    /// Fetches what the next events will touch while this one is handled: their peer's counters, the protocol's
    /// state and, for those that may forward (not duplicates, most of a flood), the neighbour list, whose offsets
    /// are fetched further ahead.
    #[inline]
    pub(super) fn prefetch_ahead(&self) {
        if let Some(c) = &self.churn {
            self.prefetch_ahead_in_session(c);
            return;
        }
        if P::ONE_SEND_AN_EVENT {
            self.prefetch_pushes();
        }
        if let Some(&next) = self.clock.peek_ahead(LINKS_AHEAD)
            && self.may_expand(next)
        {
            self.world.graph.prefetch_neighbours(next.target());
        }
        if let Some(&later) = self.clock.peek_ahead(COUNTERS_AHEAD) {
            self.obs.rec.prefetch(later.target() as usize);
        }
        if let Some(&later) = self.clock.peek_ahead(FAR_AHEAD) {
            if let Some(query) = later.message_query() {
                self.protocol.prefetch(query, later.target());
            }
            if self.may_expand(later) {
                self.world.graph.prefetch_offsets(later.target());
            }
        }
    }

    /// [`Engine::prefetch_ahead`] under churn: also the peer's mark and the message's tag, and the peer's links
    /// (one line) only where the message may still be passed on ([`FastPaths::may_forward`]). Apart, so that the
    /// loop without churn keeps its code.
    #[inline(never)]
    fn prefetch_ahead_in_session(&self, c: &Churn) {
        if let Some(&next) = self.clock.peek_ahead(LINKS_AHEAD)
            && self.may_expand(next)
            && self.protocol.may_forward(next.hops())
        {
            c.overlay.prefetch_links(next.target());
        }
        if let Some(&later) = self.clock.peek_ahead(COUNTERS_AHEAD) {
            self.obs.rec.prefetch(later.target() as usize);
            c.overlay.prefetch_mark(later.target());
            c.flight.prefetch(later.tag());
        }
        if let Some(&later) = self.clock.peek_ahead(FAR_AHEAD)
            && let Some(query) = later.message_query()
        {
            self.protocol.prefetch(query, later.target());
        }
    }

    /// Fetches where the next events' messages will go in the queue: the latency draws are made ahead, so the
    /// bucket of the next draw is known (give or take one, as the clock moves on). A walk's events each push into
    /// a different bucket, whose end other events' misses evicted since its last push.
    #[inline]
    fn prefetch_pushes(&self) {
        if let Some(d) = self.latency.peek_us(PUSH_TAIL_AHEAD) {
            self.clock.prefetch_after(d, PushHint::Tail);
        }
        if let Some(d) = self.latency.peek_us(PUSH_HEADER_AHEAD) {
            self.clock.prefetch_after(d, PushHint::Header);
        }
    }

    /// Whether event `e` may make its peer send to its neighbours (a prefetch hint).
    #[inline]
    fn may_expand(&self, e: Packed) -> bool {
        e.message_query()
            .is_none_or(|query| self.protocol.may_expand(query, e.target()))
    }
}
