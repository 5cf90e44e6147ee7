//! Who is told what happens in a run: the recorder (always) and, for `gnutsim trace`, a tracer following one
//! query. One trait, so that the engine reports each kind of event at one place ([`Observers`]).
//!
//! The tracer is an `Option` rather than a type parameter of the engine: an engine generic over it was compiled
//! twice per protocol, and the protocol's receipt then had two callers and was no longer inlined into the event
//! loop's receive path (docs/performance.md). Without a tracer,
//! a report only the tracer wants costs one test of `tracer`, as before.

use super::queries::QueryId;
use super::tracer::{Fate, Tracer};
use crate::metrics::QueryRecord;
use crate::metrics::recorder::Recorder;
use crate::protocols::{Message, MsgKind, QueryInfo};

/// What the engine reports while it runs. Every report does nothing unless an observer says otherwise.
/// `measured` says whether the query counts in runs.csv (issued at or after warmup).
pub(crate) trait Observer {
    /// Whether the observer wants the per-message reports of `query` ([`Observer::sent_message`],
    /// [`Observer::arrived`], [`Observer::abandoned`]): the engine builds them only then.
    #[inline(always)]
    fn watching(&self, _query: QueryId) -> bool {
        false
    }
    /// Whether the observer has seen what it wanted: the run stops.
    #[inline(always)]
    fn done(&self) -> bool {
        false
    }
    /// Query `q` (the `index`-th issued) starts at `now`.
    #[inline(always)]
    fn query_started(&mut self, _now: u64, _index: u64, _q: &QueryInfo) {}
    /// `count` messages of `kind` left `sender` at `now`.
    #[inline(always)]
    fn sent(&mut self, _now: u64, _kind: MsgKind, _count: u64, _measured: bool, _sender: u32) {}
    /// One message of a watched query left `sender` at `now`.
    #[inline(always)]
    fn sent_message(&mut self, _now: u64, _sender: u32, _msg: &Message) {}
    /// A message of a watched query arrived at `now`, and what became of it.
    #[inline(always)]
    fn arrived(&mut self, _now: u64, _msg: &Message, _fate: Fate) {}
    /// Node `node` processed a message at `now`.
    #[inline(always)]
    fn processed(&mut self, _node: usize, _measured: bool, _now: u64) {}
    /// A query reached a peer that had seen it.
    #[inline(always)]
    fn duplicate(&mut self, _measured: bool) {}
    /// A query (or walker) reached a peer that had not seen it.
    #[inline(always)]
    fn first_receipt(&mut self, _measured: bool) {}
    /// `count` query messages reported as first receipts were repeats, as the protocol found at the query's end
    /// ([`crate::protocols::Finished::late_repeats`]).
    #[inline(always)]
    fn repeats_found_late(&mut self, _measured: bool, _count: u64) {}
    /// A message of `kind` was dropped by a full queue.
    #[inline(always)]
    fn dropped(&mut self, _kind: MsgKind, _measured: bool) {}
    /// A message of `kind` was lost to churn in flight.
    #[inline(always)]
    fn lost_in_flight(&mut self, _kind: MsgKind, _measured: bool) {}
    /// A dropper swallowed a message.
    #[inline(always)]
    fn swallowed(&mut self, _measured: bool) {}
    /// `count` messages could not be sent (their link or state was gone).
    #[inline(always)]
    fn lost(&mut self, _measured: bool, _count: u64) {}
    /// A timer of watched `query` found its node gone at `now`.
    #[inline(always)]
    fn abandoned(&mut self, _now: u64, _query: QueryId) {}
    /// Query `query` is over.
    #[inline(always)]
    fn finished(&mut self, _query: QueryId, _record: &QueryRecord) {}
    /// A peer joined or left, opening links (counted inside [warmup, duration) only).
    #[inline(always)]
    fn links_opened(&mut self, _join: u64, _repair: u64, _in_window: bool) {}
}

impl Observer for Recorder {
    #[inline(always)]
    fn sent(&mut self, now: u64, kind: MsgKind, count: u64, measured: bool, sender: u32) {
        Recorder::sent(self, kind, count, measured, sender);
        self.sent_at(now, count);
    }
    #[inline(always)]
    fn processed(&mut self, node: usize, measured: bool, now: u64) {
        Recorder::processed(self, node, measured, now);
    }
    #[inline(always)]
    fn duplicate(&mut self, measured: bool) {
        Recorder::duplicate(self, measured);
    }
    #[inline(always)]
    fn first_receipt(&mut self, measured: bool) {
        Recorder::first_receipt(self, measured);
    }
    #[inline(always)]
    fn repeats_found_late(&mut self, measured: bool, count: u64) {
        Recorder::repeats_found_late(self, measured, count);
    }
    #[inline(always)]
    fn dropped(&mut self, kind: MsgKind, measured: bool) {
        Recorder::dropped(self, kind, measured);
    }
    #[inline(always)]
    fn lost_in_flight(&mut self, kind: MsgKind, measured: bool) {
        Recorder::lost_in_flight(self, kind, measured);
    }
    #[inline(always)]
    fn lost(&mut self, measured: bool, count: u64) {
        Recorder::lost(self, measured, count);
    }
    #[inline]
    fn swallowed(&mut self, measured: bool) {
        Recorder::swallowed(self, measured);
    }
    #[inline]
    fn finished(&mut self, _query: QueryId, record: &QueryRecord) {
        self.query_done(record.clone());
    }
    #[inline]
    fn links_opened(&mut self, join: u64, repair: u64, in_window: bool) {
        self.overlay_links(join, repair, in_window);
    }
}

impl Observer for Tracer {
    #[inline]
    fn watching(&self, query: QueryId) -> bool {
        Tracer::watching(self, query)
    }
    #[inline]
    fn done(&self) -> bool {
        self.done
    }
    fn query_started(&mut self, now: u64, index: u64, q: &QueryInfo) {
        self.started(index, q.query, q.source, q.object, now);
    }
    fn sent_message(&mut self, now: u64, sender: u32, msg: &Message) {
        Tracer::sent(self, now, sender, msg);
    }
    fn arrived(&mut self, now: u64, msg: &Message, fate: Fate) {
        Tracer::arrived(self, now, msg, fate);
    }
    fn abandoned(&mut self, now: u64, _query: QueryId) {
        Tracer::abandoned(self, now);
    }
    fn finished(&mut self, query: QueryId, r: &QueryRecord) {
        if self.watching(query) {
            let first_hit = r.hops.zip(r.latency_us);
            Tracer::finished(self, r.outcome, first_hit, r.reached);
        }
    }
}

/// An observer or none (`gnutsim trace` with a tracer, or without).
impl<T: Observer> Observer for Option<T> {
    #[inline]
    fn watching(&self, query: QueryId) -> bool {
        self.as_ref().is_some_and(|o| o.watching(query))
    }
    #[inline]
    fn done(&self) -> bool {
        self.as_ref().is_some_and(|o| o.done())
    }
    fn query_started(&mut self, now: u64, index: u64, q: &QueryInfo) {
        if let Some(o) = self {
            o.query_started(now, index, q);
        }
    }
    fn sent_message(&mut self, now: u64, sender: u32, msg: &Message) {
        if let Some(o) = self {
            o.sent_message(now, sender, msg);
        }
    }
    fn arrived(&mut self, now: u64, msg: &Message, fate: Fate) {
        if let Some(o) = self {
            o.arrived(now, msg, fate);
        }
    }
    fn abandoned(&mut self, now: u64, query: QueryId) {
        if let Some(o) = self {
            o.abandoned(now, query);
        }
    }
    fn finished(&mut self, query: QueryId, record: &QueryRecord) {
        if let Some(o) = self {
            o.finished(query, record);
        }
    }
}

/// The recorder and the tracer (if any), told the same things in turn: the engine's one place to report to.
pub(crate) struct Observers {
    pub rec: Recorder,
    pub tracer: Option<Tracer>,
}

/// Forwards each report to the recorder, then to the tracer.
macro_rules! forward {
    ($( fn $name:ident(&mut self $(, $arg:ident: $ty:ty)*); )*) => {$(
        #[inline(always)]
        fn $name(&mut self $(, $arg: $ty)*) {
            Observer::$name(&mut self.rec $(, $arg)*);
            self.tracer.$name($($arg),*);
        }
    )*};
}

impl Observer for Observers {
    #[inline(always)]
    fn watching(&self, query: QueryId) -> bool {
        Observer::watching(&self.rec, query) || self.tracer.watching(query)
    }
    #[inline(always)]
    fn done(&self) -> bool {
        Observer::done(&self.rec) || self.tracer.done()
    }
    forward! {
        fn query_started(&mut self, now: u64, index: u64, q: &QueryInfo);
        fn sent(&mut self, now: u64, kind: MsgKind, count: u64, measured: bool, sender: u32);
        fn sent_message(&mut self, now: u64, sender: u32, msg: &Message);
        fn arrived(&mut self, now: u64, msg: &Message, fate: Fate);
        fn processed(&mut self, node: usize, measured: bool, now: u64);
        fn duplicate(&mut self, measured: bool);
        fn first_receipt(&mut self, measured: bool);
        fn repeats_found_late(&mut self, measured: bool, count: u64);
        fn dropped(&mut self, kind: MsgKind, measured: bool);
        fn lost_in_flight(&mut self, kind: MsgKind, measured: bool);
        fn lost(&mut self, measured: bool, count: u64);
        fn swallowed(&mut self, measured: bool);
        fn abandoned(&mut self, now: u64, query: QueryId);
        fn finished(&mut self, query: QueryId, record: &QueryRecord);
        fn links_opened(&mut self, join: u64, repair: u64, in_window: bool);
    }
}
