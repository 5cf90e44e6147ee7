//! The discrete-event engine: integer-microsecond time, events in (time, insertion) order, one strategy over one
//! world. It issues the queries of the trace, delivers messages with their latencies through the peers' FIFO
//! queues, lets the protocol decide what each message causes, and reports to its observers (the recorder, and a
//! tracer for `gnutsim trace`).
//!
//! One job a file: `clock` (the event loop's time and queue), `queries` (the table of queries in progress),
//! `delivery` (a message reaching its node), `capacity` (peers' service queues), `churn` (the churn schedule and
//! messages in flight across it), `effects` (applying a protocol step), `observer` (who is told what happened)
//! and `prefetch` (memory hints for the events ahead).

pub mod event;
pub mod inflight;
pub mod queue;
pub mod tracer;

use std::time::Instant;

use crate::adversaries::Roles;
use crate::content::AddedCopies;
use crate::dist::{BlockDraws, secs_to_us};
use crate::metrics::Recorded;
use crate::metrics::recorder::Recorder;
use crate::protocols::{BuildEnv, FastPaths, Outbox, Protocol, View};
pub use crate::results::run::RunOutput;
use crate::rng::{self, SimRng, Stream};
use crate::scenario::{ReplicateOnHit, Scenario, Strategy};
use crate::workload::{Arrival, QueryTrace};
use crate::world::World;
use event::Event;
use tracer::{TracedQuery, Tracer};

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
        .with_roles($e.world.roles.as_ref())
        .live($e.churn.as_ref().map(|c| &c.overlay))
        .at_event($e.clock.events)
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
    /// As `Trace`, recording the first `cap` messages and counting the others ([`Tracer::capped`]).
    TraceCapped {
        index: u64,
        cap: usize,
    },
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
    // The engine's large buffers (the recorder's counters) on huge pages.
    let engine =
        crate::huge_pages::with_advice(|| Engine::new(s, strategy, world, arrivals, protocol));
    let tracer = match job {
        Job::Run => return Done::Run(Box::new(engine.run())),
        Job::Trace(index) => Tracer::new(index),
        Job::TraceCapped { index, cap } => Tracer::capped(index, cap),
    };
    Done::Trace(
        engine
            .with_tracer(Some(tracer))
            .run_for_trace()
            .filter(|t| t.outcome.is_some())
            .map(|t| TracedQuery {
                broadcast: !strategy.spec.searches(),
                ..t
            }),
    )
}

mod capacity;
mod churn;
mod clock;
mod coverage;
mod delivery;
mod effects;
mod observer;
mod prefetch;
mod queries;
mod uplink;

use capacity::Capacity;
use churn::Churn;
use clock::Clock;
use coverage::Spreads;
use observer::{Observer, Observers};
use queries::{Arrivals, QueryTable};
use uplink::Uplinks;

/// One strategy's run over one world.
pub(crate) struct Engine<'a, P: Protocol + FastPaths> {
    world: &'a World,
    protocol: P,
    clock: Clock,
    /// Message latencies, drawn ahead in blocks from their own stream.
    latency: BlockDraws<SimRng>,
    arrivals: Arrivals<'a>,
    queries: QueryTable,
    capacity: Capacity<'a>,
    /// Under churn: the live overlay, the schedule's progress and the messages in flight.
    churn: Option<Churn>,
    /// The recorder, and the tracer of `gnutsim trace`.
    obs: Observers,
    out: Outbox,
    /// The node whose step is being applied (the sender of what the outbox sends).
    acting: u32,
    /// The bad actors, when some are droppers (whose messages the engine swallows).
    droppers: Option<&'a Roles>,
    /// Peers' uplinks, when their bandwidth is limited (`network.upload`).
    uplinks: Option<Uplinks<'a>>,
    /// Broadcasts in progress: `Some` exactly for a broadcast strategy's run (which searches for no object).
    spreads: Option<Spreads>,
    timeout_us: Option<u64>,
    replicate: ReplicateOnHit,
    /// Copies made during this run (replication on success).
    added: AddedCopies,
    peers: u32,
    /// Whether the event loop prefetches (see [`prefetch::MIN_PEERS`]).
    prefetch: bool,
    warmup_us: u64,
    duration_us: u64,
}

impl<'a, P: Protocol + FastPaths> Engine<'a, P> {
    pub(crate) fn new(
        s: &Scenario,
        strategy: &Strategy,
        world: &'a World,
        trace: Box<dyn Iterator<Item = Arrival> + 'a>,
        protocol: P,
    ) -> Self {
        let n = world.peers();
        let nodes = n as usize + protocol.extra_nodes() as usize;
        let searches = strategy.spec.searches();
        let sizes = s
            .network
            .message_bytes
            .by_kind(strategy.spec.payload_bytes());
        Engine {
            world,
            clock: Clock::new(),
            obs: Observers {
                rec: Recorder::new(
                    nodes,
                    secs_to_us(s.warmup),
                    secs_to_us(s.duration),
                    secs_to_us(s.output.bucket),
                    s.output.queries,
                )
                .with_bytes(sizes, n as usize, s.network.message_bytes_given)
                .with_coverage(!searches),
                tracer: None,
            },
            protocol,
            latency: message_latencies(s, world.seed),
            capacity: Capacity::new(world, s.network.queue_limit),
            churn: world.churn.as_ref().map(|_| Churn::new(s, world)),
            timeout_us: strategy.timeout.map(secs_to_us),
            replicate: s.content.replicate_on_hit,
            added: AddedCopies::default(),
            peers: n,
            prefetch: n >= prefetch::MIN_PEERS,
            arrivals: Arrivals::new(trace),
            queries: QueryTable::default(),
            out: Outbox::default(),
            acting: 0,
            droppers: world.roles.as_ref().filter(|r| r.has_droppers()),
            uplinks: Uplinks::new(world, sizes),
            spreads: (!searches).then(Spreads::default),
            warmup_us: secs_to_us(s.warmup),
            duration_us: secs_to_us(s.duration),
        }
    }

    /// The same engine, also reporting to `tracer` (the query it follows, hop by hop).
    pub(crate) fn with_tracer(mut self, tracer: Option<Tracer>) -> Self {
        self.obs.tracer = tracer;
        self
    }

    /// Runs until the traced query ends (or the run does) and returns its trace.
    pub(crate) fn run_for_trace(mut self) -> Option<TracedQuery> {
        self.loop_events();
        self.obs.tracer.map(|t| t.trace)
    }

    pub(crate) fn run(mut self) -> RunOutput {
        let started = Instant::now();
        self.loop_events();
        let wall_s = started.elapsed().as_secs_f64();
        self.finish(wall_s)
    }

    /// The event loop: each event to its handler, until the queue is empty (or the observers have seen enough).
    fn loop_events(&mut self) {
        // What the protocol allocates as it goes (visited sets, routes) on huge pages; not what `finish` does
        // after the loop, used once.
        let _advice = crate::huge_pages::advise();
        self.schedule_next_arrival();
        self.schedule_next_churn();
        while let Some(packed) = self.clock.pop() {
            if self.prefetch {
                self.prefetch_ahead();
            }
            match Event::from(packed) {
                Event::Issue => self.issue(),
                Event::Deliver(msg) => self.deliver(&msg),
                Event::Timer {
                    query,
                    node,
                    ring,
                    session,
                } => self.timer(query, node, ring, session),
                Event::Churn => self.churn(),
                Event::ServiceDone { peer, session } => self.service_done(peer, session),
            }
            if self.obs.done() {
                break;
            }
        }
    }

    fn finish(self, wall_s: f64) -> RunOutput {
        let world = self.world;
        let stats = self.protocol.stats();
        let objects = world.content.objects() as f64;
        let copies = (world.content.total_copies() + self.added.total()) as f64 / objects;
        let window_s = (self.duration_us - self.warmup_us) as f64 / 1e6;
        let ultrapeers = world.ultrapeers.as_deref();
        let added = self.added;
        let events = self.clock.events;
        // The queue and the protocol's per-query tables are spent: freed before the recorder's summary allocates.
        drop((self.clock, self.protocol));
        let Recorded {
            mut metrics,
            timeseries,
            lorenz,
            queries,
            coverage,
        } = self
            .obs
            .rec
            .finish(events, ultrapeers, |a, b| world.online_mean(a, b));
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
            coverage,
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

#[cfg(test)]
mod tests;
