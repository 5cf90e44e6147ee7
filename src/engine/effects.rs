//! Applying what a protocol decided: a receipt (the fast paths' summary of a step) or a step's outbox — messages
//! sent with their latencies, timers set, held messages released, hits and the copies they leave behind.

use super::inflight::Tag;
use super::observer::Observer;
use super::queries::QueryId;
use super::tracer::Fate;
use super::{Engine, Event, View};
use crate::protocols::{Fanout, FastPaths, Message, MsgKind, Protocol, Receipt};
use crate::scenario::ReplicateOnHit;

impl<P: Protocol + FastPaths> Engine<'_, P> {
    /// Applies a receipt as [`Engine::step`] would apply the same outbox: same counts, reports and order of sends.
    #[inline(always)]
    pub(super) fn apply_receipt(&mut self, msg: &Message, receipt: Receipt) {
        let query = msg.query;
        let measured = self.queries[query].info.measured;
        if msg.to < self.peers {
            self.obs
                .processed(msg.to as usize, measured, self.clock.now);
        }
        match receipt {
            Receipt::Duplicate => {
                self.obs.duplicate(measured);
                self.report_arrival(msg, Fate::Duplicate);
            }
            Receipt::First { hit, fanout } => {
                self.obs.first_receipt(measured);
                self.report_arrival(msg, Fate::New);
                self.acting = msg.to;
                if let Some(hit) = hit {
                    self.send(hit, measured);
                }
                if let Some(f) = fanout {
                    self.fan_out(f);
                }
            }
            Receipt::Step { duplicate, next } => {
                if duplicate {
                    self.obs.duplicate(measured);
                    self.report_arrival(msg, Fate::Duplicate);
                } else {
                    self.obs.first_receipt(measured);
                    self.report_arrival(msg, Fate::New);
                }
                self.acting = msg.to;
                if let Some(next) = next {
                    self.send(next, measured);
                }
            }
            Receipt::Relay { next } => {
                self.report_arrival(msg, Fate::Handled);
                self.acting = msg.to;
                if let Some(next) = next {
                    self.send(next, measured);
                }
            }
        }
        self.message_done(query);
    }

    /// The protocol's step for a message, applied.
    pub(super) fn step(&mut self, msg: &Message) {
        let query = msg.query;
        let now = self.clock.now;
        let info = self.queries.info(query);
        if let Some(receipt) = self.protocol.relay(msg, &info, view!(self)) {
            self.apply_receipt(msg, receipt);
            return;
        }
        self.out.clear();
        self.protocol.handle(msg, &info, view!(self), &mut self.out);
        if self.out.dropped {
            self.lose_to_drop(msg);
            return;
        }
        if self.out.lost > 0 {
            let a = &mut self.queries[query];
            a.lost = true;
            let measured = a.info.measured;
            self.obs.lost(measured, self.out.lost as u64);
        }
        if msg.to < self.peers {
            self.obs.processed(msg.to as usize, info.measured, now);
        }
        if self.out.covered {
            self.cover(query, msg.to, msg.hops);
        }
        if self.out.duplicate {
            self.obs.duplicate(info.measured);
        } else if msg.kind.is_query() && msg.to < self.peers {
            self.obs.first_receipt(info.measured);
        }
        if let Some(hops) = self.out.hit_at_source {
            if msg.kind == MsgKind::FakeHit {
                self.fake_hit(query);
            } else {
                self.hit(query, hops);
            }
        }
        if self.obs.watching(query) {
            let fate = if self.out.duplicate {
                Fate::Duplicate
            } else if self.out.hit_at_source.is_some() {
                Fate::HitAtSource
            } else if self.out.lost > 0 {
                // It arrived, but could not go on: its link or the state it needed was gone (churn).
                Fate::Lost
            } else if msg.kind.is_query() {
                Fate::New
            } else if msg.kind.is_hit() {
                Fate::Passed
            } else {
                Fate::Handled
            };
            self.obs.arrived(now, msg, fate);
        }
        let hold = self.out.hold;
        if !self.out.is_idle() {
            self.acting = msg.to;
            self.apply();
        }
        if !hold {
            self.message_done(query);
        }
    }

    /// A timer that `node` set for `query` fires, unless `node` left since (`session`).
    pub(super) fn timer(&mut self, query: QueryId, node: u32, ring: u32, session: u32) {
        let info = self.queries.info(query);
        // The node that set the timer sends what it causes.
        self.acting = node;
        if self.session(node) != session {
            // The source left since it set the timer, and forgot the query: what the timer would do is lost.
            self.queries[query].lost = true;
            if self.obs.watching(query) {
                self.obs.abandoned(self.clock.now, query);
            }
            self.message_done(query);
            return;
        }
        self.out.clear();
        self.protocol
            .timer(node, ring, &info, view!(self), &mut self.out);
        self.apply();
        self.message_done(query);
    }

    /// A hit reached the source of `query`, found `hops` away: its first, unless too late (the timeout).
    fn hit(&mut self, query: QueryId, hops: u32) {
        let now = self.clock.now;
        let timeout = self.timeout_us;
        let a = &mut self.queries[query];
        if a.first_hit.is_some() || a.late_hit {
            return;
        }
        let latency = now - a.issued_us;
        if timeout.is_some_and(|t| latency > t) {
            a.late_hit = true;
            return;
        }
        a.first_hit = Some((hops, latency));
        // Replication on success: the querying peer, or every peer on the hit's path, keeps a copy.
        let (source, object) = (a.info.source, a.info.object);
        match self.replicate {
            ReplicateOnHit::None => {}
            ReplicateOnHit::Owner => self.add_copy(source, object),
            ReplicateOnHit::Path => {
                let path = std::mem::take(&mut self.out.hit_path);
                for &p in &path {
                    self.add_copy(p, object);
                }
                self.out.hit_path = path;
            }
        }
    }

    /// A polluter's fake hit reached the source of `query`. The source takes it for a hit (the protocol now sees
    /// the query satisfied), but it is no success, and leaves no copy; when it is the first hit and in time, the
    /// query was fooled.
    fn fake_hit(&mut self, query: QueryId) {
        let now = self.clock.now;
        let timeout = self.timeout_us;
        let a = &mut self.queries[query];
        a.fake_hits += 1;
        if a.first_hit.is_some() || a.late_hit || a.fooled {
            return;
        }
        if timeout.is_some_and(|t| now - a.issued_us > t) {
            return;
        }
        a.fooled = true;
    }

    fn add_copy(&mut self, peer: u32, object: u32) {
        if !self.world.content.holds(peer, object) {
            self.added.add(peer, object);
        }
    }

    /// Applies the outbox: messages leave with their latencies, timers are set, held messages released.
    pub(super) fn apply(&mut self) {
        let now = self.clock.now;
        for msg in &self.out.sends {
            if self.obs.watching(msg.query) {
                self.obs.sent_message(now, self.acting, msg);
            }
        }
        // A step's messages nearly always belong to one query: its counters are updated once per run of them.
        let n = self.out.sends.len();
        let mut i = 0;
        while i < n {
            let query = self.out.sends[i].query;
            let measured = self.queries[query].info.measured;
            let start = i;
            // Runs of one kind are counted in a register and added once: an add per message to the recorder's
            // array (or to a local one) was a read-modify-write in memory on every send (measured).
            let mut kind = self.out.sends[i].kind;
            let mut of_kind = 0u64;
            while i < n && self.out.sends[i].query == query {
                let msg = self.out.sends[i];
                self.dispatch(msg);
                if msg.kind != kind {
                    self.obs.sent(now, kind, of_kind, measured, self.acting);
                    (kind, of_kind) = (msg.kind, 0);
                }
                of_kind += 1;
                i += 1;
            }
            self.obs.sent(now, kind, of_kind, measured, self.acting);
            self.queries.count_sent(query, (i - start) as u64);
        }
        self.out.sends.clear();
        if let Some(f) = self.out.fanout.take() {
            self.fan_out(f);
        }
        // Taken out for the loop, which looks up sessions: the vector goes back with its capacity.
        let mut timers = std::mem::take(&mut self.out.timers);
        for t in timers.drain(..) {
            let session = self.session(t.node);
            self.clock.after(
                t.delay_us,
                Event::Timer {
                    query: t.query,
                    node: t.node,
                    ring: t.ring,
                    session,
                },
            );
            self.queries[t.query].in_flight += 1;
        }
        self.out.timers = timers;
        if let Some((server, measured)) = self.out.served_by {
            // Load of a server: the requests it served.
            self.obs.processed(server as usize, measured, now);
        }
        let released = std::mem::take(&mut self.out.release);
        for &query in &released {
            self.message_done(query);
        }
        self.out.release = released;
    }

    /// Sends one message of a query that counts (`measured`) or not.
    fn send(&mut self, msg: Message, measured: bool) {
        let now = self.clock.now;
        if self.obs.watching(msg.query) {
            self.obs.sent_message(now, self.acting, &msg);
        }
        self.dispatch(msg);
        self.obs.sent(now, msg.kind, 1, measured, self.acting);
        self.queries.count_sent(msg.query, 1);
    }

    /// Sends `f.next` to every neighbour of its sender but `f.except`.
    fn fan_out(&mut self, f: Fanout) {
        let now = self.clock.now;
        let (query, from) = (f.next.query, f.next.from);
        if self.obs.watching(query) {
            for msg in f.messages(view!(self).neighbours(from)) {
                self.obs.sent_message(now, self.acting, &msg);
            }
        }
        let mut count = 0u64;
        // `dispatch` borrows the whole engine, which the links are borrowed from: its lines, spelled out.
        if let Some(churn) = &mut self.churn {
            let (sender, sent_event) = (self.acting, self.clock.events);
            for msg in f.messages(churn.overlay.neighbours(from)) {
                let mut delay = self.latency.next_us();
                if let Some(up) = &mut self.uplinks {
                    delay += up.queue(sender, msg.kind, now);
                }
                let from = churn.flight.insert(Tag {
                    from: msg.from,
                    sender,
                    sent_event,
                });
                self.clock
                    .after(delay, Event::Deliver(Message { from, ..msg }));
                count += 1;
            }
        } else if let Some(up) = &mut self.uplinks {
            // The copies leave one after another over the sender's uplink.
            for msg in f.messages(self.world.graph.neighbours(from)) {
                let delay = self.latency.next_us() + up.queue(self.acting, msg.kind, now);
                self.clock.after(delay, Event::Deliver(msg));
                count += 1;
            }
        } else {
            for msg in f.messages(self.world.graph.neighbours(from)) {
                let delay = self.latency.next_us();
                self.clock.after(delay, Event::Deliver(msg));
                count += 1;
            }
        }
        let measured = self.queries[query].info.measured;
        self.obs
            .sent(now, f.next.kind, count, measured, self.acting);
        self.queries.count_sent(query, count);
    }

    /// `msg` leaves now with its drawn latency (the counts are the caller's).
    #[inline(always)]
    fn dispatch(&mut self, msg: Message) {
        let mut delay = self.latency.next_us();
        if let Some(up) = &mut self.uplinks {
            delay += up.queue(self.acting, msg.kind, self.clock.now);
        }
        let msg = if self.churn.is_some() {
            self.tagged(msg)
        } else {
            msg
        };
        self.clock.after(delay, Event::Deliver(msg));
    }
}
