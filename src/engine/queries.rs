//! The queries in progress: where their arrivals come from, the table of their state (indexed by [`QueryId`],
//! reused once a query ends), and a query's start (issue) and end (its record).

use std::ops::{Index, IndexMut};

use super::event::MAX_QUERIES;
use super::observer::Observer;
use super::{Engine, Event, View};
use crate::graph::PeerId;
use crate::metrics::{Outcome, QueryRecord};
use crate::protocols::{FastPaths, Finished, Protocol, QueryInfo};
use crate::workload::Arrival;

/// A query's place in the engine's table while it runs (what messages and timers carry; the protocols know it as
/// `QueryInfo::query`). Not its issue index: a finished query's id is given to the next one.
pub(crate) type QueryId = u32;

/// State of a query in progress.
pub(super) struct Active {
    pub info: QueryInfo,
    /// The event that issued the query: a source that leaves abandons its query (it forgets it), so nothing of
    /// the query reaches it in a later session.
    pub issued_event: u64,
    pub index: u64,
    pub issued_us: u64,
    /// Messages and timers of this query not yet processed, dropped, lost or fired; the query ends at zero.
    pub in_flight: u64,
    pub first_hit: Option<(u32, u64)>,
    pub late_hit: bool,
    /// A fake hit came (within the timeout) before any genuine one.
    pub fooled: bool,
    /// A fake hit came, in time or not: the protocol takes the query as satisfied.
    pub fake_hits: u32,
    pub dropped: bool,
    pub lost: bool,
    pub no_copy: bool,
    pub messages: u64,
}

/// The query arrivals of the run, one pending in the event queue at a time.
pub(super) struct Arrivals<'a> {
    trace: Box<dyn Iterator<Item = Arrival> + 'a>,
    pending: Option<Arrival>,
}

impl<'a> Arrivals<'a> {
    pub fn new(trace: Box<dyn Iterator<Item = Arrival> + 'a>) -> Self {
        Arrivals {
            trace,
            pending: None,
        }
    }
}

/// The queries in progress, by [`QueryId`].
#[derive(Default)]
pub(super) struct QueryTable {
    active: Vec<Active>,
    free: Vec<QueryId>,
    /// Issue index of the next query.
    next_index: u64,
}

impl Index<QueryId> for QueryTable {
    type Output = Active;
    #[inline(always)]
    fn index(&self, q: QueryId) -> &Active {
        &self.active[q as usize]
    }
}

impl IndexMut<QueryId> for QueryTable {
    #[inline(always)]
    fn index_mut(&mut self, q: QueryId) -> &mut Active {
        &mut self.active[q as usize]
    }
}

impl QueryTable {
    /// A new query of `object` from `source`, issued now (at event `event`): its id.
    fn open(
        &mut self,
        source: PeerId,
        object: u32,
        measured: bool,
        no_copy: bool,
        now: u64,
        event: u64,
    ) -> QueryId {
        let query = match self.free.pop() {
            Some(q) => q,
            None => {
                // Query ids travel in 24 bits of a packed event; 16 million queries in flight at once would need
                // gigabytes of query state.
                assert!(
                    (self.active.len() as u32) < MAX_QUERIES,
                    "more than {MAX_QUERIES} queries in flight at once"
                );
                self.active.push(placeholder());
                (self.active.len() - 1) as QueryId
            }
        };
        let index = self.next_index;
        self.next_index += 1;
        self[query] = Active {
            info: QueryInfo {
                query,
                source,
                object,
                satisfied: false,
                measured,
                traced: false,
            },
            issued_event: event,
            index,
            issued_us: now,
            in_flight: 0,
            first_hit: None,
            late_hit: false,
            fooled: false,
            fake_hits: 0,
            dropped: false,
            lost: false,
            no_copy,
            messages: 0,
        };
        query
    }

    /// The query's state as the protocol sees it.
    #[inline]
    pub fn info(&self, q: QueryId) -> QueryInfo {
        let a = &self[q];
        QueryInfo {
            // The source cannot tell a fake hit from a genuine one when it arrives.
            satisfied: a.first_hit.is_some() || a.late_hit || a.fake_hits > 0,
            ..a.info
        }
    }

    /// `count` messages of query `q` left.
    #[inline]
    pub fn count_sent(&mut self, q: QueryId, count: u64) {
        let a = &mut self[q];
        a.in_flight += count;
        a.messages += count;
    }

    /// One message or timer of query `q` is done with: true if that was its last (the query ends).
    #[inline]
    pub fn message_done(&mut self, q: QueryId) -> bool {
        let a = &mut self[q];
        a.in_flight -= 1;
        a.in_flight == 0
    }

    /// The record of query `q`, which is over, having reached `reached` peers; its id is free again.
    fn close(&mut self, q: QueryId, reached: u64) -> QueryRecord {
        let a = &self[q];
        let outcome = if a.first_hit.is_some() {
            Outcome::Success
        } else if a.no_copy {
            Outcome::NoCopy
        } else if a.fooled {
            Outcome::Fooled
        } else if a.late_hit {
            Outcome::Timeout
        } else if a.dropped {
            Outcome::Dropped
        } else if a.lost {
            Outcome::Lost
        } else {
            Outcome::NotFound
        };
        let record = QueryRecord {
            index: a.index,
            time_us: a.issued_us,
            source: a.info.source,
            object: a.info.object,
            outcome,
            hops: a.first_hit.map(|(h, _)| h),
            latency_us: a.first_hit.map(|(_, l)| l),
            messages: a.messages,
            reached,
            fooled: a.fooled,
            fake_hits: a.fake_hits,
        };
        self.free.push(q);
        record
    }
}

fn placeholder() -> Active {
    Active {
        info: QueryInfo {
            query: 0,
            source: 0,
            object: 0,
            satisfied: false,
            measured: false,
            traced: false,
        },
        issued_event: 0,
        index: 0,
        issued_us: 0,
        in_flight: 0,
        first_hit: None,
        late_hit: false,
        fooled: false,
        fake_hits: 0,
        dropped: false,
        lost: false,
        no_copy: false,
        messages: 0,
    }
}

impl<P: Protocol + FastPaths> Engine<'_, P> {
    pub(super) fn schedule_next_arrival(&mut self) {
        self.arrivals.pending = self.arrivals.trace.next();
        if let Some(a) = &self.arrivals.pending {
            self.clock.at(a.time_us, Event::Issue);
        }
    }

    /// The pending arrival: its source, if online and missing some object, issues a query for one.
    pub(super) fn issue(&mut self) {
        let Some(arrival) = self.arrivals.pending.take() else {
            return;
        };
        self.schedule_next_arrival();
        if !view!(self).online(arrival.source) {
            // Offline peers issue no queries: this thins the arrivals to query_rate per online peer.
            return;
        }
        let now = self.clock.now;
        // A broadcast asks for no object (its record says object 0).
        let (object, no_copy) = if self.spreads.is_none() {
            let Some(object) = self.world.content.pick_object_with(
                arrival.source,
                arrival.object_draw,
                &self.added,
            ) else {
                // The peer holds every object: it has nothing to ask for.
                return;
            };
            (object, !view!(self).anyone_holds(object))
        } else {
            (0, false)
        };
        let measured = self.obs.rec.measured(now);
        let query = self.queries.open(
            arrival.source,
            object,
            measured,
            no_copy,
            now,
            self.clock.events,
        );
        let index = self.queries[query].index;
        self.obs
            .query_started(now, index, &self.queries[query].info);
        self.queries[query].info.traced = self.obs.watching(query);
        self.open_spread(query);
        let info = self.queries.info(query);
        self.acting = arrival.source;
        self.out.clear();
        self.protocol.start(&info, view!(self), &mut self.out);
        self.apply();
        if self.queries[query].in_flight == 0 {
            self.end_query(query);
        }
    }

    /// One message or timer of query `q` is done with; the query ends with its last.
    #[inline]
    pub(super) fn message_done(&mut self, q: QueryId) {
        if self.queries.message_done(q) {
            self.end_query(q);
        }
    }

    fn end_query(&mut self, q: QueryId) {
        self.close_spread(q);
        let Finished {
            reached,
            late_repeats,
        } = self.protocol.finish(q);
        if late_repeats > 0 {
            let measured = self.queries[q].info.measured;
            self.obs.repeats_found_late(measured, late_repeats);
        }
        let record = self.queries.close(q, reached);
        self.obs.finished(q, &record);
    }
}
