//! A message reaches its node: lost to churn on the way, or dropped by a full queue, or processed (as a known
//! duplicate, through the protocol's receipt, or through its general step).

use super::observer::Observer;
use super::tracer::Fate;
use super::{Engine, View};
use crate::protocols::{FastPaths, Message, Protocol, Receipt};

impl<P: Protocol + FastPaths> Engine<'_, P> {
    /// A message arrives at its node: lost if the peer is offline (or under churn, if either end left while it
    /// was in flight); else processed at once, or queued behind others, or dropped when the queue is full.
    #[inline]
    pub(super) fn deliver(&mut self, msg: &Message) {
        if self.churn.is_some() {
            if let Some(msg) = self.arrive(msg) {
                self.deliver_to(&msg);
            }
        } else {
            self.deliver_to(msg);
        }
    }

    /// Tells the observers what happened to a message of a query they watch (nothing for full runs).
    #[inline(always)]
    pub(super) fn report_arrival(&mut self, msg: &Message, fate: Fate) {
        if self.obs.watching(msg.query) {
            self.obs.arrived(self.clock.now, msg, fate);
        }
    }

    /// A message is dropped by a full queue.
    pub(super) fn lose_to_drop(&mut self, msg: &Message) {
        self.report_arrival(msg, Fate::Dropped);
        let a = &mut self.queries[msg.query];
        a.dropped = true;
        let measured = a.info.measured;
        self.obs.dropped(msg.kind, measured);
        self.message_done(msg.query);
    }

    /// A message is lost to churn.
    pub(super) fn lose(&mut self, msg: &Message) {
        self.report_arrival(msg, Fate::Lost);
        let a = &mut self.queries[msg.query];
        a.lost = true;
        let measured = a.info.measured;
        self.obs.lost_in_flight(msg.kind, measured);
        self.message_done(msg.query);
    }

    /// The node processes a message. A known duplicate (most of a flood) is counted here, inlined into the event
    /// loop, as [`Engine::step`] would count it, without asking the protocol for a step (a call fewer per
    /// duplicate, measured).
    #[inline(always)]
    pub(super) fn process(&mut self, msg: &Message) {
        if self.protocol.known_duplicate(msg) {
            self.apply_receipt(msg, Receipt::Duplicate);
        } else if self.churn.is_some() {
            self.receive_or_step_in_session(msg);
        } else {
            self.receive_or_step(msg);
        }
    }

    /// Whether `msg` reaches a dropper, which swallows it ([`Engine::swallow`]). Asked after the known
    /// duplicates (which any peer drops; counted as duplicates, not swallowed), so that a flood's duplicates pay
    /// nothing for it (asked before them, it cost a flood without bad actors 3.6% more instructions:
    /// docs/performance.md).
    #[inline(always)]
    fn swallows(&mut self, msg: &Message) -> bool {
        match self.droppers {
            Some(roles) => roles.is_dropper(msg.to) && self.swallow(msg),
            None => false,
        }
    }

    /// A dropper receives `msg`, unless it is of the dropper's own query (false: it takes it as anyone would).
    /// The protocol takes note of it (the peer counts as reached, and a repeat is a duplicate there), but
    /// whatever the step would send (a hit, the walker's next step, the query's fanout) is swallowed.
    #[cold]
    #[inline(never)]
    fn swallow(&mut self, msg: &Message) -> bool {
        let query = msg.query;
        let info = self.queries.info(query);
        if info.source == msg.to {
            return false;
        }
        self.out.clear();
        self.protocol.handle(msg, &info, view!(self), &mut self.out);
        let (duplicate, covered) = (self.out.duplicate, self.out.covered);
        self.out.clear();
        if covered {
            self.cover(query, msg.to, msg.hops);
        }
        let measured = info.measured;
        self.obs
            .processed(msg.to as usize, measured, self.clock.now);
        // A repeat is a duplicate, as at any peer (whether or not the protocol knew it for one ahead), not a
        // swallowed message.
        if duplicate {
            self.obs.duplicate(measured);
            self.report_arrival(msg, Fate::Duplicate);
        } else {
            if msg.kind.is_query() {
                self.obs.first_receipt(measured);
            }
            self.obs.swallowed(measured);
            self.report_arrival(msg, Fate::Swallowed);
        }
        self.message_done(query);
        true
    }

    /// [`Engine::receive_or_step`] under churn, with the protocol's receipts under churn (kept apart: a call to the
    /// churn path from the receipt path without churn cost every first copy a register save, measured).
    #[inline(never)]
    fn receive_or_step_in_session(&mut self, msg: &Message) {
        if self.swallows(msg) {
            return;
        }
        let object = self.queries[msg.query].info.object;
        let Some(receipt) = self
            .protocol
            .receive_query_in_session(msg, object, view!(self))
        else {
            self.step(msg);
            return;
        };
        debug_assert!(msg.to < self.peers, "a receipt at a server");
        self.apply_receipt(msg, receipt);
    }

    /// A message that is not a known duplicate: the protocol's [`Receipt`] if it gives one, else its general step.
    fn receive_or_step(&mut self, msg: &Message) {
        if self.swallows(msg) {
            return;
        }
        let object = self.queries[msg.query].info.object;
        let Some(receipt) = self.protocol.receive_query(msg, object, view!(self)) else {
            self.step(msg);
            return;
        };
        // Receipts are for queries at peers (servers take the general step).
        debug_assert!(msg.to < self.peers, "a receipt at a server");
        self.apply_receipt(msg, receipt);
    }
}
