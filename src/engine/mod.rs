//! The discrete-event engine: integer-microsecond time, events in (time, insertion) order, one strategy over one
//! world. It issues the queries of the trace, delivers messages with their latencies through the peers' FIFO
//! queues, lets the protocol decide what each message causes, and feeds the recorder.

pub mod event;
pub mod queue;

use std::time::Instant;

use crate::dist::{Sampler, secs_to_us};
use crate::metrics::recorder::Recorder;
use crate::metrics::{BucketRow, Outcome, QueryRecord, Recorded, RunMetrics};
use crate::protocols::flooding::Flooding;
use crate::protocols::{Message, Outbox, Protocol, QueryInfo, View};
use crate::rng::{self, SimRng, Stream};
use crate::scenario::{Scenario, Strategy, StrategyKind};
use crate::workload::{Arrival, QueryTrace};
use crate::world::World;
use event::{Event, MAX_SLOTS, Packed};
use queue::EventQueue;

/// What one strategy run produced.
pub struct RunOutput {
    pub metrics: RunMetrics,
    pub timeseries: Vec<BucketRow>,
    pub lorenz: Vec<(f64, f64)>,
    pub queries: Vec<QueryRecord>,
    /// Seconds spent in the event loop alone.
    pub wall_s: f64,
}

/// Runs one strategy over one world, with the replication's query trace.
pub fn simulate(s: &Scenario, strategy: &Strategy, world: &World) -> RunOutput {
    let trace = QueryTrace::new(
        rng::stream(world.seed, Stream::Queries),
        world.peers(),
        s.workload.query_rate,
        s.duration,
    );
    simulate_arrivals(s, strategy, world, trace)
}

/// Runs one strategy over one world with given query arrivals (in time order): hand-built cases in tests, and
/// the trace of one query in `gnutsim trace`.
pub fn simulate_arrivals<'a>(
    s: &Scenario,
    strategy: &Strategy,
    world: &'a World,
    arrivals: impl Iterator<Item = Arrival> + 'a,
) -> RunOutput {
    let trace = Box::new(arrivals);
    match strategy.kind {
        StrategyKind::Flooding { ttl } => Engine::new(
            s,
            strategy,
            world,
            trace,
            Flooding::new(ttl, world.graph.len()),
        )
        .run(),
        ref other => unreachable!("strategy kind {} is refused by validation", other.name()),
    }
}

/// State of a query in progress.
struct Active {
    info: QueryInfo,
    index: u64,
    issued_us: u64,
    measured: bool,
    /// Messages of this query scheduled but not yet processed, dropped or lost; the query ends at zero.
    in_flight: u64,
    first_hit: Option<(u32, u64)>,
    late_hit: bool,
    dropped: bool,
    no_copy: bool,
    messages: u64,
}

struct Engine<'a, P: Protocol> {
    view: View<'a>,
    world: &'a World,
    protocol: P,
    queue: EventQueue<Packed>,
    rec: Recorder,
    latency: Sampler,
    latency_rng: SimRng,
    service_us: Option<&'a [u64]>,
    busy_until: Vec<u64>,
    queue_limit: u64,
    timeout_us: Option<u64>,
    trace: Box<dyn Iterator<Item = Arrival> + 'a>,
    pending: Option<Arrival>,
    next_index: u64,
    active: Vec<Active>,
    free_slots: Vec<u32>,
    out: Outbox,
    now: u64,
    events: u64,
}

impl<'a, P: Protocol> Engine<'a, P> {
    fn new(
        s: &Scenario,
        strategy: &Strategy,
        world: &'a World,
        trace: Box<dyn Iterator<Item = Arrival> + 'a>,
        protocol: P,
    ) -> Self {
        let n = world.peers();
        let seed = world.seed;
        Engine {
            view: View {
                graph: &world.graph,
                content: &world.content,
            },
            world,
            protocol,
            queue: EventQueue::new(),
            rec: Recorder::new(
                n as usize,
                secs_to_us(s.warmup),
                secs_to_us(s.duration),
                secs_to_us(s.output.bucket),
                s.output.queries,
            ),
            latency: s.network.latency.sampler(),
            // Same seed for every strategy: common random numbers as far as the message sequences agree.
            latency_rng: rng::stream(seed, Stream::Latency),
            service_us: world.service_us.as_deref(),
            busy_until: if world.service_us.is_some() {
                vec![0; n as usize]
            } else {
                Vec::new()
            },
            queue_limit: s.network.queue_limit.map_or(u64::MAX, u64::from),
            timeout_us: strategy.timeout.map(secs_to_us),
            trace,
            pending: None,
            next_index: 0,
            active: Vec::new(),
            free_slots: Vec::new(),
            out: Outbox::default(),
            now: 0,
            events: 0,
        }
    }

    fn run(mut self) -> RunOutput {
        let started = Instant::now();
        self.schedule_next_arrival();
        while let Some((time, packed)) = self.queue.pop() {
            self.now = time;
            self.events += 1;
            match Event::from(packed) {
                Event::Issue => self.issue(),
                Event::Deliver(msg) => self.deliver(msg),
                Event::Process(msg) => self.process(msg),
            }
        }
        let wall_s = started.elapsed().as_secs_f64();
        let world = self.world;
        let Recorded {
            metrics,
            timeseries,
            lorenz,
            queries,
        } = self.rec.finish(self.events, |a, b| world.online_mean(a, b));
        RunOutput {
            metrics,
            timeseries,
            lorenz,
            queries,
            wall_s,
        }
    }

    fn schedule_next_arrival(&mut self) {
        self.pending = self.trace.next();
        if let Some(a) = &self.pending {
            self.queue.push(a.time_us, Event::Issue.into());
        }
    }

    fn issue(&mut self) {
        let Some(arrival) = self.pending.take() else {
            return;
        };
        self.schedule_next_arrival();
        let Some(object) = self
            .view
            .content
            .pick_object(arrival.source, arrival.object_draw)
        else {
            // The peer holds every object: it has nothing to ask for.
            return;
        };
        let slot = match self.free_slots.pop() {
            Some(s) => s,
            None => {
                // Slots travel in 24 bits of a packed event; 16 million queries in flight at once would need
                // gigabytes of query state and is refused by the work estimate long before.
                assert!(
                    (self.active.len() as u32) < MAX_SLOTS,
                    "more than {MAX_SLOTS} queries in flight at once"
                );
                self.active.push(placeholder());
                (self.active.len() - 1) as u32
            }
        };
        let info = QueryInfo {
            slot,
            source: arrival.source,
            object,
        };
        let index = self.next_index;
        self.next_index += 1;
        self.active[slot as usize] = Active {
            info,
            index,
            issued_us: self.now,
            measured: self.rec.measured(self.now),
            in_flight: 0,
            first_hit: None,
            late_hit: false,
            dropped: false,
            no_copy: self.view.content.copies(object) == 0,
            messages: 0,
        };
        self.out.clear();
        self.protocol.start(&info, self.view, &mut self.out);
        self.apply(slot);
        if self.active[slot as usize].in_flight == 0 {
            self.end_query(slot);
        }
    }

    /// A message arrives at its peer: processed at once, queued behind others, or dropped.
    fn deliver(&mut self, msg: Message) {
        let Some(service) = self.service_us else {
            self.process(msg);
            return;
        };
        let peer = msg.to as usize;
        let s = service[peer];
        let busy = self.busy_until[peer];
        // Messages in the system complete back to back at busy, busy - s, ...: those still to complete after
        // now are exactly ceil((busy - now) / s), one in service and the rest waiting.
        let in_system = if busy > self.now {
            (busy - self.now).div_ceil(s)
        } else {
            0
        };
        if in_system > self.queue_limit {
            let a = &mut self.active[msg.query as usize];
            a.dropped = true;
            let measured = a.measured;
            self.rec.dropped(measured);
            self.message_done(msg.query);
            return;
        }
        let done = busy.max(self.now) + s;
        self.busy_until[peer] = done;
        self.queue.push(done, Event::Process(msg).into());
    }

    fn process(&mut self, msg: Message) {
        let slot = msg.query;
        let a = &self.active[slot as usize];
        let measured = a.measured;
        let info = a.info;
        self.rec.processed(msg.to as usize, measured, self.now);
        self.out.clear();
        self.protocol.handle(&msg, &info, self.view, &mut self.out);
        if self.out.duplicate {
            self.rec.duplicate(measured);
        }
        if let Some(hops) = self.out.hit_at_source {
            self.hit(slot, hops);
        }
        self.apply(slot);
        self.message_done(slot);
    }

    fn hit(&mut self, slot: u32, hops: u32) {
        let now = self.now;
        let timeout = self.timeout_us;
        let a = &mut self.active[slot as usize];
        if a.first_hit.is_some() {
            return;
        }
        let latency = now - a.issued_us;
        match timeout {
            Some(t) if latency > t => a.late_hit = true,
            _ => a.first_hit = Some((hops, latency)),
        }
    }

    /// Sends what the protocol asked for.
    fn apply(&mut self, slot: u32) {
        let now = self.now;
        let a = &mut self.active[slot as usize];
        for msg in self.out.sends.drain(..) {
            let delay = self.latency.sample_us(&mut self.latency_rng);
            self.queue.push(now + delay, Event::Deliver(msg).into());
            a.in_flight += 1;
            a.messages += 1;
            self.rec.sent(msg.kind, a.measured, now);
        }
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
        self.rec.query_done(rec);
        self.free_slots.push(slot);
    }
}

fn placeholder() -> Active {
    Active {
        info: QueryInfo {
            slot: 0,
            source: 0,
            object: 0,
        },
        index: 0,
        issued_us: 0,
        measured: false,
        in_flight: 0,
        first_hit: None,
        late_hit: false,
        dropped: false,
        no_copy: false,
        messages: 0,
    }
}
