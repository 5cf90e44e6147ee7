//! The discrete-event engine: integer-microsecond time, events in (time, insertion) order, one strategy over one
//! world. It issues the queries of the trace, delivers messages with their latencies through the peers' FIFO
//! queues, lets the protocol decide what each message causes, and feeds the recorder.

pub mod event;
pub mod inflight;
pub mod queue;
pub mod tracer;

use std::collections::VecDeque;
use std::time::Instant;

use crate::content::AddedCopies;
use crate::dist::{BlockDraws, secs_to_us};
use crate::metrics::recorder::Recorder;
use crate::metrics::{Outcome, QueryRecord, Recorded};
use crate::overlay::Overlay;
use crate::protocols::{
    BuildEnv, Fanout, FastPaths, Message, Outbox, Protocol, QueryInfo, Receipt, View,
};
pub use crate::results::run::RunOutput;
use crate::rng::{self, SimRng, Stream};
use crate::scenario::{ReplicateOnHit, Scenario, Strategy};
use crate::workload::{Arrival, QueryTrace};
use crate::world::World;
use event::{Event, MAX_SLOTS, Packed};
use inflight::{InFlight, Tag};
use queue::EventQueue;
use tracer::{Fate, TracedQuery, Tracer};

/// The protocol's view of the world, built from disjoint fields of the engine so that the protocol and the
/// outbox can be borrowed mutably beside it.
macro_rules! view {
    ($e:expr) => {
        View::new(
            &$e.world.graph,
            &$e.world.content,
            &$e.added,
            $e.world.ultrapeers.as_deref(),
        )
        .live($e.overlay.as_ref())
        .at_event($e.events)
    };
}

/// The message latencies of a replication, drawn ahead in blocks: the scenario's distribution on its clock tick,
/// from the replication's latency stream. Same seed for every strategy: common random numbers as far as the
/// message sequences agree (and the benchmark's bare loops draw the same values).
pub fn message_latencies(s: &Scenario, replication_seed: u64) -> BlockDraws<SimRng> {
    BlockDraws::new(
        s.network.latency.sampler(),
        rng::stream(replication_seed, Stream::Latency),
    )
    .with_tick(s.network.latency_tick.map_or(1, secs_to_us))
}

/// The replication's query arrivals, from their own stream, on the scenario's issue clock. Same for every strategy
/// (and the benchmark's bare loops issue the same).
pub fn query_trace(s: &Scenario, world: &World) -> QueryTrace {
    QueryTrace::new(
        rng::stream(world.seed, Stream::Queries),
        world.peers(),
        s.workload.query_rate,
        s.duration,
    )
    .with_tick(s.workload.issue_tick.map_or(1, secs_to_us))
}

/// What one strategy's run is asked for: the whole run, or following one query (in issue order) hop by hop
/// until it ends.
pub enum Job {
    Run,
    Trace(u64),
}

/// What a [`Job`] gives back.
pub enum Done {
    Run(Box<RunOutput>),
    /// `None` if the run issues fewer queries, or the traced query does not end.
    Trace(Option<TracedQuery>),
}

/// What a strategy's protocol is built with for one run of `world`.
pub fn build_env(s: &Scenario, world: &World) -> BuildEnv {
    BuildEnv {
        peers: world.peers(),
        copy_along_path: s.content.replicate_on_hit == ReplicateOnHit::Path,
        // A strategy's own choices come from one stream, the same for every strategy of the replication.
        rng: rng::stream(world.seed, Stream::Protocol),
    }
}

/// Runs `protocol` (built for `strategy`) over `world` with given query arrivals (in time order). The registry of
/// strategy kinds (`crate::strategies`) calls it with each kind's protocol type.
pub fn launch<'a, P: Protocol + FastPaths>(
    s: &Scenario,
    strategy: &Strategy,
    world: &'a World,
    arrivals: Box<dyn Iterator<Item = Arrival> + 'a>,
    protocol: P,
    job: Job,
) -> Done {
    let engine = Engine::new(s, strategy, world, arrivals, protocol);
    match job {
        Job::Run => Done::Run(Box::new(engine.run())),
        Job::Trace(index) => Done::Trace(
            engine
                .with_tracer(Some(Tracer::new(index)))
                .run_for_trace()
                .filter(|t| t.outcome.is_some()),
        ),
    }
}

/// State of a query in progress.
struct Active {
    info: QueryInfo,
    /// The event that issued the query: a source that leaves abandons its query (it forgets it), so nothing of
    /// the query reaches it in a later session.
    issued_event: u64,
    index: u64,
    issued_us: u64,
    /// Messages and timers of this query not yet processed, dropped, lost or fired; the query ends at zero.
    in_flight: u64,
    first_hit: Option<(u32, u64)>,
    late_hit: bool,
    dropped: bool,
    lost: bool,
    no_copy: bool,
    messages: u64,
}

/// How many events ahead (after the next one) the event loop prefetches a peer's neighbour list, its counters,
/// and the neighbour list's offsets (or link-list header) with the protocol's per-query state. Tuned on the flood
/// benchmarks: the offsets must arrive before the list is fetched, or the list's prefetch waits for them
/// (fetching them only one event earlier stalled at 10^6 peers). Once duplicates skipped the protocol step,
/// events got shorter and 1/1/3 left the loop waiting on offsets at 10^6 peers: 2/2/6 is 10% faster there than
/// 1/1/3, 1/1/5, 2/2/5, 3/2/6 or 2/1/8 (millisecond-clock benchmark), and no slower at 10^5.
const PREFETCH_LINKS: usize = 2;
const PREFETCH_COUNTERS: usize = 2;
const PREFETCH_FAR: usize = 6;

/// Below this many peers the event loop does not prefetch: the graph, the counters and a query's seen bitset
/// (about 50 bytes a peer) then stay in the processor's L2 cache, and the hints only cost instructions. Measured
/// on the millisecond-clock flood benchmarks: without hints, 10% faster at 10^4 peers and 25% slower at 10^5.
const PREFETCH_MIN_PEERS: u32 = 32_768;

struct Engine<'a, P: Protocol + FastPaths> {
    world: &'a World,
    protocol: P,
    queue: EventQueue<Packed>,
    rec: Recorder,
    /// Message latencies, drawn ahead in blocks from their own stream.
    latency: BlockDraws<SimRng>,
    service_us: Option<&'a [u64]>,
    /// Peers with limited capacity: messages in the system (the head in service). A service event carries its
    /// peer's session, so that one pending when the peer left is recognised as stale.
    queues: Vec<VecDeque<Message>>,
    queue_limit: u64,
    /// Under churn: the live overlay and the next event of the churn schedule.
    overlay: Option<Overlay>,
    churn_next: usize,
    /// Under churn: who sent every message in flight and when, and when each peer last joined or left.
    flight: Option<InFlight>,
    timeout_us: Option<u64>,
    replicate: ReplicateOnHit,
    /// Copies made during this run (replication on success).
    added: AddedCopies,
    peers: u32,
    trace: Box<dyn Iterator<Item = Arrival> + 'a>,
    pending: Option<Arrival>,
    next_index: u64,
    active: Vec<Active>,
    free_slots: Vec<u32>,
    out: Outbox,
    /// The node whose step is being applied (the sender of what the outbox sends).
    acting: u32,
    /// `gnutsim trace`: the query being followed, hop by hop.
    tracer: Option<Tracer>,
    /// Whether the event loop prefetches (see [`PREFETCH_MIN_PEERS`]).
    prefetch: bool,
    now: u64,
    events: u64,
    warmup_us: u64,
    duration_us: u64,
}

impl<'a, P: Protocol + FastPaths> Engine<'a, P> {
    fn new(
        s: &Scenario,
        strategy: &Strategy,
        world: &'a World,
        trace: Box<dyn Iterator<Item = Arrival> + 'a>,
        protocol: P,
    ) -> Self {
        let n = world.peers();
        let nodes = n as usize + protocol.extra_nodes() as usize;
        Engine {
            world,
            queue: EventQueue::new(),
            rec: Recorder::new(
                nodes,
                secs_to_us(s.warmup),
                secs_to_us(s.duration),
                secs_to_us(s.output.bucket),
                s.output.queries,
            ),
            protocol,
            latency: message_latencies(s, world.seed),
            service_us: world.service_us.as_deref(),
            queues: if world.service_us.is_some() {
                (0..n).map(|_| VecDeque::new()).collect()
            } else {
                Vec::new()
            },
            overlay: world.churn.as_ref().map(|c| {
                Overlay::new(
                    &world.graph,
                    &c.schedule.initially_online,
                    s.churn.target_degree,
                    s.churn.min_degree,
                    s.churn.repair,
                    rng::stream(world.seed, Stream::Overlay),
                )
            }),
            churn_next: 0,
            flight: world.churn.as_ref().map(|_| InFlight::default()),
            queue_limit: s.network.queue_limit.map_or(u64::MAX, u64::from),
            timeout_us: strategy.timeout.map(secs_to_us),
            replicate: s.content.replicate_on_hit,
            added: AddedCopies::default(),
            peers: n,
            prefetch: n >= PREFETCH_MIN_PEERS,
            trace,
            pending: None,
            next_index: 0,
            active: Vec::new(),
            free_slots: Vec::new(),
            out: Outbox::default(),
            acting: 0,
            tracer: None,
            now: 0,
            events: 0,
            warmup_us: secs_to_us(s.warmup),
            duration_us: secs_to_us(s.duration),
        }
    }

    fn with_tracer(mut self, tracer: Option<Tracer>) -> Self {
        self.tracer = tracer;
        self
    }

    /// Runs until the traced query ends (or the run does) and returns its trace.
    fn run_for_trace(mut self) -> Option<TracedQuery> {
        self.loop_events();
        self.tracer.map(|t| t.trace)
    }

    fn run(mut self) -> RunOutput {
        let started = Instant::now();
        self.loop_events();
        let wall_s = started.elapsed().as_secs_f64();
        self.finish(wall_s)
    }

    /// The event loop.
    fn loop_events(&mut self) {
        self.schedule_next_arrival();
        self.schedule_next_churn();
        while let Some((time, packed)) = self.queue.pop() {
            self.now = time;
            self.events += 1;
            if self.prefetch {
                self.prefetch_ahead();
            }
            match Event::from(packed) {
                Event::Issue => self.issue(),
                Event::Deliver(msg) => self.deliver(&msg),
                Event::Timer {
                    slot,
                    data,
                    session,
                } => self.timer(slot, data, session),
                Event::Churn => self.churn(),
                Event::ServiceDone { peer, session } => self.service_done(peer, session),
            }
            if self.tracer.as_ref().is_some_and(|t| t.done) {
                break;
            }
        }
    }
}

impl<'a, P: Protocol + FastPaths> Engine<'a, P> {
    /// Fetches what the next events will touch while this one is handled (see the PREFETCH_* distances): their
    /// peer's counters, the protocol's state and, for those that may forward (not duplicates, most of a flood),
    /// the neighbour list, whose offsets (or list header) are fetched further ahead.
    #[inline]
    fn prefetch_ahead(&self) {
        if let Some(&next) = self.queue.peek_ahead(PREFETCH_LINKS) {
            let to = next.target();
            if self.may_expand(next) {
                match &self.overlay {
                    Some(o) => o.prefetch_links(to),
                    None => self.world.graph.prefetch_neighbours(to),
                }
            }
        }
        if let Some(&later) = self.queue.peek_ahead(PREFETCH_COUNTERS) {
            self.rec.prefetch(later.target() as usize);
            if let (Some(o), Some(flight)) = (&self.overlay, &self.flight) {
                o.prefetch_mark(later.target());
                flight.prefetch(later.tag());
            }
        }
        if let Some(&later) = self.queue.peek_ahead(PREFETCH_FAR) {
            if let Some(slot) = later.message_slot() {
                self.protocol.prefetch(slot, later.target());
            }
            if self.may_expand(later) {
                match &self.overlay {
                    Some(o) => o.prefetch(later.target()),
                    None => self.world.graph.prefetch_offsets(later.target()),
                }
            }
        }
    }

    /// Whether event `e` may make its peer send to its neighbours (a prefetch hint).
    #[inline]
    fn may_expand(&self, e: Packed) -> bool {
        e.message_slot()
            .is_none_or(|slot| self.protocol.may_expand(slot, e.target()))
    }

    fn schedule_next_arrival(&mut self) {
        self.pending = self.trace.next();
        if let Some(a) = &self.pending {
            self.queue.push(a.time_us, Event::Issue.into());
        }
    }

    /// The query's state as the protocol sees it.
    fn info(&self, slot: u32) -> QueryInfo {
        let a = &self.active[slot as usize];
        QueryInfo {
            satisfied: a.first_hit.is_some() || a.late_hit,
            ..a.info
        }
    }

    fn issue(&mut self) {
        let Some(arrival) = self.pending.take() else {
            return;
        };
        self.schedule_next_arrival();
        if !view!(self).online(arrival.source) {
            // Offline peers issue no queries: this thins the arrivals to query_rate per online peer.
            return;
        }
        let Some(object) =
            self.world
                .content
                .pick_object_with(arrival.source, arrival.object_draw, &self.added)
        else {
            // The peer holds every object: it has nothing to ask for.
            return;
        };
        let slot = match self.free_slots.pop() {
            Some(s) => s,
            None => {
                // Slots travel in 24 bits of a packed event; 16 million queries in flight at once would need
                // gigabytes of query state.
                assert!(
                    (self.active.len() as u32) < MAX_SLOTS,
                    "more than {MAX_SLOTS} queries in flight at once"
                );
                self.active.push(placeholder());
                (self.active.len() - 1) as u32
            }
        };
        let index = self.next_index;
        self.next_index += 1;
        let no_copy = !view!(self).anyone_holds(object);
        self.active[slot as usize] = Active {
            info: QueryInfo {
                slot,
                source: arrival.source,
                object,
                satisfied: false,
                measured: self.rec.measured(self.now),
            },
            issued_event: self.events,
            index,
            issued_us: self.now,
            in_flight: 0,
            first_hit: None,
            late_hit: false,
            dropped: false,
            lost: false,
            no_copy,
            messages: 0,
        };
        if let Some(t) = self.tracer.as_mut() {
            t.started(index, slot, arrival.source, object, self.now);
        }
        let info = self.info(slot);
        self.acting = arrival.source;
        self.out.clear();
        self.protocol.start(&info, view!(self), &mut self.out);
        self.apply();
        if self.active[slot as usize].in_flight == 0 {
            self.end_query(slot);
        }
    }

    /// A message arrives at its node: lost if the peer is offline (or under churn, if either end left while it
    /// was in flight); else processed at once, or queued behind others, or dropped when the queue is full.
    #[inline]
    fn deliver(&mut self, msg: &Message) {
        if self.flight.is_some() {
            if let Some(msg) = self.arrive(msg) {
                self.deliver_to(&msg);
            }
        } else {
            self.deliver_to(msg);
        }
    }

    /// Under churn, a message lands: restored from its tag, and lost if its destination is offline, if its sender
    /// or its destination left while it was in flight, or if it is for a source that has left since it issued the
    /// query.
    #[inline(never)]
    fn arrive(&mut self, msg: &Message) -> Option<Message> {
        let (Some(flight), Some(overlay)) = (self.flight.as_mut(), self.overlay.as_ref()) else {
            return Some(*msg);
        };
        let tag = flight.remove(msg.from);
        let msg = Message {
            from: tag.from,
            ..*msg
        };
        let a = &self.active[msg.query as usize];
        // The source must have stayed since it issued the query (which came before any of its messages).
        let since = if msg.to == a.info.source {
            a.issued_event
        } else {
            tag.sent_event
        };
        // Servers (node ids from `peers` on) never leave.
        let steady =
            |node: u32, event: u64| node >= self.peers || overlay.steady_since(node, event);
        if !steady(msg.to, since) || !steady(tag.sender, tag.sent_event) {
            self.lose(&msg);
            return None;
        }
        Some(msg)
    }

    /// The session of node `node` (servers, which never leave, and every node without churn: 0).
    #[inline]
    fn session(&self, node: u32) -> u32 {
        match &self.overlay {
            Some(o) if node < self.peers => o.session(node),
            _ => 0,
        }
    }

    /// A message that arrived at an online node (see [`Engine::deliver`]).
    #[inline(always)]
    fn deliver_to(&mut self, msg: &Message) {
        let to = msg.to;
        if to >= self.peers {
            // Servers queue requests themselves (the client-server protocol).
            self.process(msg);
            return;
        }
        let Some(service) = self.service_us else {
            self.process(msg);
            return;
        };
        let queue = &mut self.queues[to as usize];
        // One message in service and the rest waiting: drop when `queue_limit` are already waiting.
        if queue.len() as u64 > self.queue_limit {
            self.lose_to_drop(msg);
            return;
        }
        queue.push_back(*msg);
        if queue.len() == 1 {
            let session = self.session(to);
            self.queue.push(
                self.now + service[to as usize],
                Event::ServiceDone { peer: to, session }.into(),
            );
        }
    }

    /// A peer finishes the message at the head of its queue and starts the next one.
    fn service_done(&mut self, peer: u32, session: u32) {
        if self.session(peer) != session {
            return; // the peer left since: its queue was lost then
        }
        let Some(msg) = self.queues[peer as usize].pop_front() else {
            return;
        };
        if !self.queues[peer as usize].is_empty()
            && let Some(service) = self.service_us
        {
            self.queue.push(
                self.now + service[peer as usize],
                Event::ServiceDone { peer, session }.into(),
            );
        }
        self.process(&msg);
    }

    /// Records what happened to a message of the traced query.
    fn trace_arrival(&mut self, msg: &Message, fate: Fate) {
        let now = self.now;
        if let Some(t) = self.tracer.as_mut()
            && t.watching(msg.query)
        {
            t.arrived(now, msg, fate);
        }
    }

    /// A message is dropped by a full queue.
    fn lose_to_drop(&mut self, msg: &Message) {
        self.trace_arrival(msg, Fate::Dropped);
        let slot = msg.query;
        let a = &mut self.active[slot as usize];
        a.dropped = true;
        let measured = a.info.measured;
        self.rec.dropped(msg.kind, measured);
        self.message_done(slot);
    }

    /// A message is lost to churn.
    fn lose(&mut self, msg: &Message) {
        self.trace_arrival(msg, Fate::Lost);
        let slot = msg.query;
        let a = &mut self.active[slot as usize];
        a.lost = true;
        let measured = a.info.measured;
        self.rec.lost_in_flight(msg.kind, measured);
        self.message_done(slot);
    }

    fn schedule_next_churn(&mut self) {
        if let Some(c) = &self.world.churn
            && let Some(ev) = c.schedule.events.get(self.churn_next)
        {
            self.queue.push(ev.time_us, Event::Churn.into());
        }
    }

    /// The next churn event: a peer joins (opening links) or leaves (its links and queued messages go).
    fn churn(&mut self) {
        let Some(c) = &self.world.churn else {
            return;
        };
        let Some(&ev) = c.schedule.events.get(self.churn_next) else {
            return;
        };
        self.churn_next += 1;
        self.schedule_next_churn();
        let Some(overlay) = self.overlay.as_mut() else {
            return;
        };
        let opened = if ev.join {
            overlay.join(ev.peer, self.events)
        } else {
            overlay.leave(ev.peer, self.events)
        };
        let in_window = self.now >= self.warmup_us && self.now < self.duration_us;
        self.rec
            .overlay_links(opened.join_links, opened.repair_links, in_window);
        if !ev.join && self.service_us.is_some() {
            let p = ev.peer as usize;
            let lost: Vec<Message> = self.queues[p].drain(..).collect();
            for msg in lost {
                self.lose(&msg);
            }
        }
    }

    /// The node processes a message. A known duplicate (most of a flood) is counted here, inlined into the event
    /// loop, as [`Engine::step`] would count it, without asking the protocol for a step (a call fewer per
    /// duplicate, measured).
    #[inline(always)]
    fn process(&mut self, msg: &Message) {
        if self.protocol.known_duplicate(msg) {
            self.apply_receipt(msg, Receipt::Duplicate);
        } else if self.flight.is_some() {
            self.receive_or_step_in_session(msg);
        } else {
            self.receive_or_step(msg);
        }
    }

    /// [`Engine::receive_or_step`] under churn, with the protocol's receipts under churn (kept apart: a call to the
    /// churn path from the receipt path without churn cost every first copy a register save, measured).
    #[inline(never)]
    fn receive_or_step_in_session(&mut self, msg: &Message) {
        let object = self.active[msg.query as usize].info.object;
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
        let object = self.active[msg.query as usize].info.object;
        let Some(receipt) = self.protocol.receive_query(msg, object, view!(self)) else {
            self.step(msg);
            return;
        };
        // Receipts are for queries at peers (servers take the general step).
        debug_assert!(msg.to < self.peers, "a receipt at a server");
        self.apply_receipt(msg, receipt);
    }

    /// Applies a receipt as [`Engine::step`] would apply the same outbox: same counts, trace and order of sends.
    #[inline(always)]
    fn apply_receipt(&mut self, msg: &Message, receipt: Receipt) {
        let slot = msg.query;
        let measured = self.active[slot as usize].info.measured;
        if msg.to < self.peers {
            self.rec.processed(msg.to as usize, measured, self.now);
        }
        match receipt {
            Receipt::Duplicate => {
                self.rec.duplicate(measured);
                if self.tracer.is_some() {
                    self.trace_arrival(msg, Fate::Duplicate);
                }
            }
            Receipt::First { hit, fanout } => {
                self.rec.first_receipt(measured);
                if self.tracer.is_some() {
                    self.trace_arrival(msg, Fate::New);
                }
                self.acting = msg.to;
                if let Some(hit) = hit {
                    self.send(hit, measured);
                }
                if let Some(f) = fanout {
                    self.fan_out(f);
                }
            }
        }
        self.message_done(slot);
    }

    /// The protocol's step for a message, applied.
    fn step(&mut self, msg: &Message) {
        let slot = msg.query;
        let info = self.info(slot);
        self.out.clear();
        self.protocol.handle(msg, &info, view!(self), &mut self.out);
        if self.out.dropped {
            self.lose_to_drop(msg);
            return;
        }
        if self.out.lost > 0 {
            let a = &mut self.active[slot as usize];
            a.lost = true;
            let measured = a.info.measured;
            self.rec.lost(measured, self.out.lost as u64);
        }
        if msg.to < self.peers {
            self.rec.processed(msg.to as usize, info.measured, self.now);
        }
        if self.out.duplicate {
            self.rec.duplicate(info.measured);
        } else if msg.kind.is_query() && msg.to < self.peers {
            self.rec.first_receipt(info.measured);
        }
        if let Some(hops) = self.out.hit_at_source {
            self.hit(slot, hops);
        }
        if self.tracer.is_some() {
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
            self.trace_arrival(msg, fate);
        }
        let hold = self.out.hold;
        if !self.out.is_idle() {
            self.acting = msg.to;
            self.apply();
        }
        if !hold {
            self.message_done(slot);
        }
    }

    fn timer(&mut self, slot: u32, data: u32, session: u32) {
        let info = self.info(slot);
        // Timers belong to the source (a ring's wait) or to a server (the index's service): the sender of what
        // they cause.
        self.acting = if self.protocol.extra_nodes() > 0 {
            self.peers + data
        } else {
            info.source
        };
        if self.session(self.acting) != session {
            // The source left since it set the timer, and forgot the query: what the timer would do is lost.
            self.active[slot as usize].lost = true;
            if let Some(t) = self.tracer.as_mut()
                && t.watching(slot)
            {
                t.abandoned(self.now);
            }
            self.message_done(slot);
            return;
        }
        self.out.clear();
        self.protocol.timer(data, &info, view!(self), &mut self.out);
        self.apply();
        self.message_done(slot);
    }

    fn hit(&mut self, slot: u32, hops: u32) {
        let now = self.now;
        let timeout = self.timeout_us;
        let a = &mut self.active[slot as usize];
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

    fn add_copy(&mut self, peer: u32, object: u32) {
        if !self.world.content.holds(peer, object) {
            self.added.add(peer, object);
        }
    }

    /// Applies the outbox: messages leave with their latencies, timers are set, held messages released.
    fn apply(&mut self) {
        let now = self.now;
        if let Some(t) = self.tracer.as_mut() {
            for msg in &self.out.sends {
                if t.watching(msg.query) {
                    t.sent(now, self.acting, msg);
                }
            }
        }
        // A step's messages nearly always belong to one query: its counters are updated once per run of them.
        let n = self.out.sends.len();
        let mut i = 0;
        while i < n {
            let slot = self.out.sends[i].query;
            let measured = self.active[slot as usize].info.measured;
            let start = i;
            // Runs of one kind are counted in a register and added once: an add per message to the recorder's
            // array (or to a local one) was a read-modify-write in memory on every send (measured).
            let mut kind = self.out.sends[i].kind;
            let mut of_kind = 0u64;
            while i < n && self.out.sends[i].query == slot {
                let msg = self.out.sends[i];
                self.dispatch(msg);
                if msg.kind != kind {
                    self.rec.sent(kind, of_kind, measured);
                    (kind, of_kind) = (msg.kind, 0);
                }
                of_kind += 1;
                i += 1;
            }
            self.rec.sent(kind, of_kind, measured);
            self.count_sent(slot, (i - start) as u64);
        }
        self.out.sends.clear();
        if let Some(f) = self.out.fanout.take() {
            self.fan_out(f);
        }
        let session = if self.out.timers.is_empty() {
            0
        } else {
            self.session(self.acting)
        };
        for t in self.out.timers.drain(..) {
            self.queue.push(
                now + t.delay_us,
                Event::Timer {
                    slot: t.slot,
                    data: t.data,
                    session,
                }
                .into(),
            );
            self.active[t.slot as usize].in_flight += 1;
        }
        if let Some((server, measured)) = self.out.served_by {
            // Load of a server: the requests it served.
            self.rec.processed(server as usize, measured, now);
        }
        let released = std::mem::take(&mut self.out.release);
        for &slot in &released {
            self.message_done(slot);
        }
        self.out.release = released;
    }

    /// Sends one message of a query that counts (`measured`) or not.
    fn send(&mut self, msg: Message, measured: bool) {
        let now = self.now;
        if let Some(t) = self.tracer.as_mut()
            && t.watching(msg.query)
        {
            t.sent(now, self.acting, &msg);
        }
        self.dispatch(msg);
        self.rec.sent(msg.kind, 1, measured);
        self.count_sent(msg.query, 1);
    }

    /// Sends `f.next` to every neighbour of its sender but `f.except`.
    fn fan_out(&mut self, f: Fanout) {
        let now = self.now;
        let neighbours = view!(self).neighbours(f.next.from);
        if let Some(t) = self.tracer.as_mut()
            && t.watching(f.next.query)
        {
            for msg in f.messages(neighbours) {
                t.sent(now, self.acting, &msg);
            }
        }
        let mut count = 0u64;
        // `dispatch` borrows the whole engine, which the links are borrowed from: its lines, spelled out.
        if let Some(flight) = &mut self.flight {
            let (sender, sent_event) = (self.acting, self.events);
            for msg in f.messages(neighbours) {
                let delay = self.latency.next_us();
                let from = flight.insert(Tag {
                    from: msg.from,
                    sender,
                    sent_event,
                });
                self.queue
                    .push(now + delay, Event::Deliver(Message { from, ..msg }).into());
                count += 1;
            }
        } else {
            for msg in f.messages(neighbours) {
                let delay = self.latency.next_us();
                self.queue.push(now + delay, Event::Deliver(msg).into());
                count += 1;
            }
        }
        let measured = self.active[f.next.query as usize].info.measured;
        self.rec.sent(f.next.kind, count, measured);
        self.count_sent(f.next.query, count);
    }

    /// `msg` leaves now with its drawn latency (the counts are the caller's).
    #[inline(always)]
    fn dispatch(&mut self, msg: Message) {
        let delay = self.latency.next_us();
        let msg = if self.flight.is_some() {
            self.tagged(msg)
        } else {
            msg
        };
        self.queue
            .push(self.now + delay, Event::Deliver(msg).into());
    }

    /// Under churn, `msg` as it travels: its `from` is the index of its tag (its sender and the event now).
    #[inline]
    fn tagged(&mut self, msg: Message) -> Message {
        let tag = Tag {
            from: msg.from,
            sender: self.acting,
            sent_event: self.events,
        };
        match &mut self.flight {
            Some(flight) => Message {
                from: flight.insert(tag),
                ..msg
            },
            None => msg,
        }
    }

    /// `count` messages of query `slot` left now (their kinds are counted by the caller).
    #[inline]
    fn count_sent(&mut self, slot: u32, count: u64) {
        let a = &mut self.active[slot as usize];
        a.in_flight += count;
        a.messages += count;
        self.rec.sent_at(self.now, count);
    }

    fn message_done(&mut self, slot: u32) {
        let a = &mut self.active[slot as usize];
        a.in_flight -= 1;
        if a.in_flight == 0 {
            self.end_query(slot);
        }
    }

    fn end_query(&mut self, slot: u32) {
        let reached = self.protocol.finish(slot);
        let a = &self.active[slot as usize];
        let outcome = if a.first_hit.is_some() {
            Outcome::Success
        } else if a.no_copy {
            Outcome::NoCopy
        } else if a.late_hit {
            Outcome::Timeout
        } else if a.dropped {
            Outcome::Dropped
        } else if a.lost {
            Outcome::Lost
        } else {
            Outcome::NotFound
        };
        let rec = QueryRecord {
            index: a.index,
            time_us: a.issued_us,
            source: a.info.source,
            object: a.info.object,
            outcome,
            hops: a.first_hit.map(|(h, _)| h),
            latency_us: a.first_hit.map(|(_, l)| l),
            messages: a.messages,
            reached,
        };
        if let Some(t) = self.tracer.as_mut()
            && t.watching(slot)
        {
            t.finished(rec.outcome, a.first_hit, reached);
        }
        self.rec.query_done(rec);
        self.free_slots.push(slot);
    }

    fn finish(self, wall_s: f64) -> RunOutput {
        let world = self.world;
        let stats = self.protocol.stats();
        let objects = world.content.objects() as f64;
        let copies = (world.content.total_copies() + self.added.total()) as f64 / objects;
        let window_s = (self.duration_us - self.warmup_us) as f64 / 1e6;
        let ultrapeers = world.ultrapeers.as_deref();
        let added = self.added;
        let Recorded {
            mut metrics,
            timeseries,
            lorenz,
            queries,
        } = self
            .rec
            .finish(self.events, ultrapeers, |a, b| world.online_mean(a, b));
        metrics.copies_per_object = copies;
        if stats.servers > 0 {
            metrics.server_utilisation = Some(stats.busy_s / (stats.servers as f64 * window_s));
        }
        let content = &world.content;
        let objects = 0..content.objects();
        let total_weight: f64 = objects.clone().map(|o| content.weight(o)).sum();
        RunOutput {
            metrics,
            timeseries,
            lorenz,
            queries,
            popularity: objects
                .clone()
                .map(|o| content.weight(o) / total_weight)
                .collect(),
            copies_start: objects.clone().map(|o| content.copies(o) as u32).collect(),
            copies_end: objects
                .map(|o| (content.copies(o) + added.copies(o)) as u32)
                .collect(),
            wall_s,
        }
    }
}

fn placeholder() -> Active {
    Active {
        info: QueryInfo {
            slot: 0,
            source: 0,
            object: 0,
            satisfied: false,
            measured: false,
        },
        issued_event: 0,
        index: 0,
        issued_us: 0,
        in_flight: 0,
        first_hit: None,
        late_hit: false,
        dropped: false,
        lost: false,
        no_copy: false,
        messages: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::RunMetrics;
    use crate::protocols::ProtocolStats;
    use crate::protocols::expanding_ring::ExpandingRing;
    use crate::protocols::flooding::Flooding;
    use crate::protocols::random_walk::RandomWalk;
    use std::path::Path;

    /// A protocol without its fast paths: every message takes the general step (`handle` and the outbox), and
    /// the event loop gets no hints.
    struct General<P>(P);

    impl<P: Protocol> Protocol for General<P> {
        fn start(&mut self, q: &QueryInfo, view: View<'_>, out: &mut Outbox) {
            self.0.start(q, view, out);
        }
        fn handle(&mut self, msg: &Message, q: &QueryInfo, view: View<'_>, out: &mut Outbox) {
            self.0.handle(msg, q, view, out);
        }
        fn timer(&mut self, data: u32, q: &QueryInfo, view: View<'_>, out: &mut Outbox) {
            self.0.timer(data, q, view, out);
        }
        fn finish(&mut self, slot: u32) -> u64 {
            self.0.finish(slot)
        }
        fn extra_nodes(&self) -> u32 {
            self.0.extra_nodes()
        }
        fn stats(&self) -> ProtocolStats {
            self.0.stats()
        }
    }

    impl<P> FastPaths for General<P> {}

    /// Runs replication 0 of `text` with the protocol `make` builds, with and without its fast paths, and checks
    /// that every output (metrics, time series, queries, Lorenz curve, copies) and the traces of three queries
    /// are the same. Returns the metrics.
    fn fast_paths_agree<P: Protocol + FastPaths>(
        text: &str,
        make: impl Fn(&World) -> P,
    ) -> RunMetrics {
        let s = crate::scenario::load_str(Path::new("t.toml"), text, &[], crate::strategies::KINDS)
            .unwrap();
        let world = World::build(&s, 0).unwrap();
        let strategy = &s.strategies[0];
        let trace =
            || -> Box<dyn Iterator<Item = Arrival> + '_> { Box::new(query_trace(&s, &world)) };
        let fast = Engine::new(&s, strategy, &world, trace(), make(&world)).run();
        let general = Engine::new(&s, strategy, &world, trace(), General(make(&world))).run();
        assert_eq!(fast.metrics, general.metrics);
        assert_eq!(fast.timeseries, general.timeseries);
        assert_eq!(fast.queries, general.queries);
        assert_eq!(fast.lorenz, general.lorenz);
        assert_eq!(fast.copies_end, general.copies_end);
        for index in [0, 7, 40] {
            let tracer = || Some(Tracer::new(index));
            let t = Engine::new(&s, strategy, &world, trace(), make(&world))
                .with_tracer(tracer())
                .run_for_trace()
                .expect("a traced query");
            assert!(
                t.hops.len() > 10,
                "query {index}: {} messages",
                t.hops.len()
            );
            let g = Engine::new(&s, strategy, &world, trace(), General(make(&world)))
                .with_tracer(tracer())
                .run_for_trace();
            assert_eq!(Some(t), g, "query {index}");
        }
        fast.metrics
    }

    /// 400 peers (floods wide enough for dense tables), a 10 ms clock (many messages in one instant), path
    /// replication (copies added mid-run), and `{churn}` (lost messages, broken reverse paths, returning peers).
    fn scenario(peers: u32, strategy: &str, churn: bool) -> String {
        let churn = if churn {
            "[churn]\nsession = { dist = \"exponential\", mean = 120.0 }\ndowntime = { dist = \"exponential\", mean = 60.0 }"
        } else {
            ""
        };
        format!(
            r#"
seed = 11
duration = 600.0
warmup = 60.0
[network]
peers = {peers}
latency = {{ dist = "uniform", min = 0.01, max = 0.05 }}
latency_tick = 0.01
[topology]
kind = "random"
mean_degree = 6.0
[content]
objects = 50
replicas_mean = 4.0
replicate_on_hit = "path"
[workload]
query_rate = {rate}
{churn}
[[strategy]]
name = "s"
{strategy}
"#,
            rate = 0.8 / peers as f64,
        )
    }

    #[test]
    fn a_floods_known_duplicates_and_receipts_agree_with_general_steps() {
        for churn in [false, true] {
            let m = fast_paths_agree(&scenario(400, "kind = \"flooding\"\nttl = 5", churn), |w| {
                Flooding::new(5, w.graph.len(), true)
            });
            assert!(m.queries > 200 && m.successes > 20, "{m:?}");
            assert!(m.duplicate_messages > 1000, "{m:?}");
            assert_eq!(m.lost_messages > 0, churn, "{m:?}");
        }
    }

    #[test]
    fn a_rings_known_duplicates_agree_with_general_steps() {
        // Rings of TTL 2 then 6, half a second apart: the wide ring's tables go dense.
        for churn in [false, true] {
            let m = fast_paths_agree(
                &scenario(
                    400,
                    "kind = \"expanding-ring\"\nttls = [2, 6]\nring_wait = 0.5",
                    churn,
                ),
                |w| ExpandingRing::new(vec![2, 6], 500_000, w.graph.len(), true),
            );
            assert!(m.queries > 200 && m.duplicate_messages > 1000, "{m:?}");
        }
    }

    #[test]
    fn hints_change_nothing_where_the_loop_prefetches() {
        // 40,000 peers: the event loop prefetches (PREFETCH_MIN_PEERS), asking floods whether a message may
        // expand and both floods and walks to fetch their per-query state.
        let peers = 40_000;
        let m = fast_paths_agree(
            &scenario(peers, "kind = \"flooding\"\nttl = 4", false),
            |w| Flooding::new(4, w.graph.len(), true),
        );
        assert!(m.queries > 200, "{m:?}");
        let walk = "kind = \"random-walk\"\nwalkers = 8\nttl = 64\ncheck_every = 4";
        let m = fast_paths_agree(&scenario(peers, walk, false), |w| {
            RandomWalk::new(
                8,
                64,
                4,
                crate::protocols::random_walk::WalkBias::Uniform,
                rng::stream(w.seed, Stream::Protocol),
                w.graph.len(),
                true,
            )
        });
        assert!(m.queries > 200 && m.duplicate_messages > 0, "{m:?}");
    }
}
