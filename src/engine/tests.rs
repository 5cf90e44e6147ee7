//! The engine's tests: each protocol's fast paths against its general step, on whole runs.

use super::*;
use crate::metrics::RunMetrics;
use crate::protocols::expanding_ring::ExpandingRing;
use crate::protocols::flooding::Flooding;
use crate::protocols::random_walk::{RandomWalk, WalkBias};
use crate::protocols::{Finished, Message, ProtocolStats, QueryInfo};
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
    fn timer(&mut self, node: u32, ring: u32, q: &QueryInfo, view: View<'_>, out: &mut Outbox) {
        self.0.timer(node, ring, q, view, out);
    }
    fn finish(&mut self, query: u32) -> Finished {
        self.0.finish(query)
    }
    fn extra_nodes(&self) -> u32 {
        self.0.extra_nodes()
    }
    fn stats(&self) -> ProtocolStats {
        self.0.stats()
    }
}

impl<P> FastPaths for General<P> {}

/// Every output of two runs (metrics, time series, queries, Lorenz curve, copies) is the same.
fn assert_same_outputs(a: &RunOutput, b: &RunOutput) {
    assert_eq!(a.metrics, b.metrics);
    assert_eq!(a.timeseries, b.timeseries);
    assert_eq!(a.queries, b.queries);
    assert_eq!(a.lorenz, b.lorenz);
    assert_eq!(a.copies_end, b.copies_end);
}

/// Runs replication 0 of `text` with the protocol `make` builds, with and without its fast paths, and checks
/// that every output (metrics, time series, queries, Lorenz curve, copies) and the traces of three queries
/// are the same. Returns the metrics.
fn fast_paths_agree<P: Protocol + FastPaths>(text: &str, make: impl Fn(&World) -> P) -> RunMetrics {
    let s = crate::scenario::load_str(Path::new("t.toml"), text, &[], crate::strategies::KINDS)
        .unwrap();
    let world = World::build(&s, 0).unwrap();
    let strategy = &s.strategies[0];
    let trace = || -> Box<dyn Iterator<Item = Arrival> + '_> { Box::new(query_trace(&s, &world)) };
    let fast = Engine::new(&s, strategy, &world, trace(), make(&world)).run();
    let general = Engine::new(&s, strategy, &world, trace(), General(make(&world))).run();
    assert_same_outputs(&fast, &general);
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

/// The random-walk protocol of a run on `w`, as the strategy builds it (paths kept for replication).
fn walker_protocol(
    w: &World,
    walkers: u32,
    ttl: u32,
    check_every: u32,
    bias: WalkBias,
) -> RandomWalk {
    RandomWalk::new(
        walkers,
        ttl,
        check_every,
        bias,
        rng::stream(w.seed, Stream::Protocol),
        w.graph.len(),
        true,
    )
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
        walker_protocol(w, 8, 64, 4, WalkBias::Uniform)
    });
    assert!(m.queries > 200 && m.duplicate_messages > 0, "{m:?}");
}

#[test]
fn a_walkers_fast_step_agrees_with_its_general_step_with_bad_actors_and_degree_bias() {
    // The walker's receipt (a plain step) must leave holders' and polluters' answers, and droppers, to the
    // general step: polluters and droppers among the peers, copies placed, degree-biased steps, checks every 3.
    let walk = "kind = \"random-walk\"\nwalkers = 6\nttl = 50\ncheck_every = 3\nbias = \"degree\"";
    let text = scenario(400, walk, false) + "\n[adversaries]\npolluters = 0.1\ndroppers = 0.05\n";
    let m = fast_paths_agree(&text, |w| walker_protocol(w, 6, 50, 3, WalkBias::Degree));
    assert!(
        m.queries > 100 && m.fake_hits > 0 && m.swallowed_messages > 0 && m.successes > 0,
        "{m:?}"
    );
}

#[test]
fn a_walkers_checks_agree_with_general_steps_under_churn_and_on_two_tiers() {
    // The check and its answer are relays ([`Receipt::Relay`]): under churn (where the answer takes the general
    // step, and the check the relay) and on a two-tier overlay (walkers among ultrapeers), checks every 2 steps.
    let make = |w: &World| walker_protocol(w, 6, 40, 2, WalkBias::Uniform);
    let walk = "kind = \"random-walk\"\nwalkers = 6\nttl = 40\ncheck_every = 2";
    let m = fast_paths_agree(&scenario(400, walk, true), make);
    assert!(
        m.queries > 200 && m.successes > 20 && m.lost_messages > 0,
        "{m:?}"
    );
    let two_tier = scenario(400, walk, false).replace(
        "kind = \"random\"\nmean_degree = 6.0",
        "kind = \"two-tier\"\nultrapeer_share = 0.2\nultrapeer_degree = 6\nleaf_links = 2",
    );
    assert!(two_tier.contains("two-tier"));
    let m = fast_paths_agree(&two_tier, make);
    assert!(m.queries > 200 && m.successes > 20, "{m:?}");
}

/// Runs replication 0 of `text` with walks that tell repeats at the end and with walks that tell them on
/// arrival, and checks that every output is the same. Returns the metrics.
fn late_repeats_agree(text: &str, make: impl Fn(&World) -> RandomWalk) -> RunMetrics {
    let s = crate::scenario::load_str(Path::new("t.toml"), text, &[], crate::strategies::KINDS)
        .unwrap();
    let world = World::build(&s, 0).unwrap();
    let strategy = &s.strategies[0];
    let trace = || -> Box<dyn Iterator<Item = Arrival> + '_> { Box::new(query_trace(&s, &world)) };
    let late = Engine::new(&s, strategy, &world, trace(), make(&world)).run();
    let on_arrival = Engine::new(
        &s,
        strategy,
        &world,
        trace(),
        make(&world).repeats_on_arrival(),
    )
    .run();
    assert_same_outputs(&late, &on_arrival);
    late.metrics
}

#[test]
fn walks_count_the_same_repeats_whether_told_at_the_end_or_on_arrival() {
    // Walkers that find copies mid-walk (their walk is counted when its loops are erased), polluters (fake hits
    // copy the walk so far), path replication (copies added mid-run), degree bias, a two-tier overlay, and
    // 40,000 peers (dense sets, the event loop's hints).
    let walk = "kind = \"random-walk\"\nwalkers = 6\nttl = 50\ncheck_every = 3";
    let make = |w: &World| walker_protocol(w, 6, 50, 3, WalkBias::Uniform);
    let m = late_repeats_agree(&scenario(400, walk, false), make);
    assert!(
        m.queries > 200 && m.successes > 20 && m.duplicate_messages > 1000,
        "{m:?}"
    );
    let polluted = scenario(400, &format!("{walk}\nbias = \"degree\""), false)
        + "\n[adversaries]\npolluters = 0.1\n";
    let m = late_repeats_agree(&polluted, |w| {
        walker_protocol(w, 6, 50, 3, WalkBias::Degree)
    });
    assert!(m.fake_hits > 0 && m.successes > 0, "{m:?}");
    let two_tier = scenario(400, walk, false).replace(
        "kind = \"random\"\nmean_degree = 6.0",
        "kind = \"two-tier\"\nultrapeer_share = 0.2\nultrapeer_degree = 6\nleaf_links = 2",
    );
    let m = late_repeats_agree(&two_tier, make);
    assert!(m.queries > 200 && m.successes > 20, "{m:?}");
    let long = "kind = \"random-walk\"\nwalkers = 8\nttl = 512\ncheck_every = 4";
    let m = late_repeats_agree(&scenario(40_000, long, false), |w| {
        walker_protocol(w, 8, 512, 4, WalkBias::Uniform)
    });
    assert!(m.queries > 200 && m.duplicate_messages > 0, "{m:?}");
}
