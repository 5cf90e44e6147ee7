//! Flooding against values known independently of the code: the full-flood identities on connected graphs,
//! breadth-first reach, hand-built graphs.

use gnutsim::engine::tracer::Fate;
use gnutsim::graph::Graph;
use gnutsim::protocols::MsgKind;
use gnutsim::topology::stats;
use gnutsim::world::World;

use crate::common::{hand_world, minimal, run_queries, scenario};

/// Checks the full-flood identities on every query of the run: on a connected graph, a flood with duplicate
/// suppression whose TTL no path exhausts sends 2E - (N - 1) queries (deg(s) from the source, deg(v) - 1 from
/// every other peer), N - 1 of which are first receipts and 2E - 2(N - 1) duplicates.
fn assert_full_flood(text: &str) {
    let s = scenario(text);
    let w = World::build(&s, 0).expect("world builds");
    assert_eq!(
        stats::component_sizes(&w.graph).len(),
        1,
        "graph must be connected"
    );
    let e = w.graph.edge_count() as u64;
    let n = w.graph.len() as u64;
    let out = gnutsim::strategies::simulate(&s, &s.strategies[0], &w);
    let m = &out.metrics;
    assert!(m.queries > 20, "enough queries: {}", m.queries);
    assert_eq!(m.query_messages, m.queries * (2 * e - (n - 1)));
    assert_eq!(m.duplicate_messages, m.queries * (2 * e - 2 * (n - 1)));
    assert_eq!(m.peers_reached_per_query, Some((n - 1) as f64));
    // Every query message is processed by its receiver: the loads add up to queries + hits.
    let total_load = m.load_mean * n as f64;
    assert!((total_load - m.messages as f64).abs() < 1e-6 * m.messages as f64);
}

fn full_flood_scenario(topology: &str, latency: &str, ttl: u32) -> String {
    format!(
        r#"
seed = 3
duration = 50.0
[network]
peers = 400
latency = {latency}
[topology]
{topology}
[content]
objects = 20
replicas_mean = 3.0
[workload]
query_rate = 0.002
[[strategy]]
name = "full"
kind = "flooding"
ttl = {ttl}
"#
    )
}

#[test]
fn full_flood_on_connected_random_graph_random_latency() {
    // TTL = N exceeds every path a first copy can take, whatever the latencies.
    assert_full_flood(&full_flood_scenario(
        "kind = \"random\"\nmean_degree = 8.0",
        "{ dist = \"lognormal\", median = 0.05, sigma = 1.0 }",
        400,
    ));
}

#[test]
fn full_flood_on_random_regular_graph_random_latency() {
    assert_full_flood(&full_flood_scenario(
        "kind = \"regular\"\ndegree = 4",
        "{ dist = \"exponential\", mean = 0.05 }",
        400,
    ));
}

#[test]
fn full_flood_on_a_millisecond_clock() {
    // Whole-millisecond latencies: many messages arrive in the same instant, and past 256 peers reached the
    // duplicate filter is dense (the engine's shortcut for known duplicates); the identities must still hold.
    assert_full_flood(&full_flood_scenario(
        "kind = \"random\"\nmean_degree = 8.0",
        "{ dist = \"uniform\", min = 0.001, max = 0.004 }\nlatency_tick = 0.001",
        400,
    ));
}

#[test]
fn trace_of_a_full_flood_counts_every_duplicate() {
    // The traced query of a full flood on a connected 400-peer graph: N - 1 first receipts and 2E - 2(N - 1)
    // duplicates, most of them counted by the engine's known-duplicate shortcut, each with its fate.
    let s = scenario(&full_flood_scenario(
        "kind = \"random\"\nmean_degree = 8.0",
        "{ dist = \"exponential\", mean = 0.05 }",
        400,
    ));
    let w = World::build(&s, 0).expect("world builds");
    assert_eq!(stats::component_sizes(&w.graph).len(), 1);
    let (e, n) = (w.graph.edge_count(), w.graph.len());
    let t = gnutsim::strategies::trace_query(&s, &s.strategies[0], &w, 3).expect("a query");
    let count = |fate: Fate| {
        t.hops
            .iter()
            .filter(|h| h.kind == MsgKind::Query && h.fate == fate)
            .count()
    };
    assert_eq!(count(Fate::New), n - 1);
    assert_eq!(count(Fate::Duplicate), 2 * e - 2 * (n - 1));
    assert_eq!(t.reached, (n - 1) as u64);
}

#[test]
fn a_capped_trace_records_the_first_messages_and_counts_the_rest() {
    // The report's traced query stops recording past what a page shows: the same query, its first messages in
    // the order they were sent, the others counted.
    let s = scenario(&full_flood_scenario(
        "kind = \"random\"\nmean_degree = 8.0",
        "{ dist = \"exponential\", mean = 0.05 }",
        400,
    ));
    let w = World::build(&s, 0).expect("world builds");
    let full = gnutsim::strategies::trace_query(&s, &s.strategies[0], &w, 3).expect("a query");
    let cap = 100;
    let capped =
        gnutsim::strategies::trace_query_capped(&s, &s.strategies[0], &w, 3, cap).expect("a query");
    assert!(full.hops.len() > cap);
    assert_eq!(capped.hops.len(), cap);
    assert_eq!(
        capped.hops.len() as u64 + capped.unrecorded,
        full.hops.len() as u64
    );
    assert_eq!(full.unrecorded, 0);
    assert_eq!(
        (capped.outcome, capped.first_hit, capped.reached),
        (full.outcome, full.first_hit, full.reached)
    );
    let sent = |t: &gnutsim::engine::tracer::TracedQuery| {
        let mut v: Vec<_> = t.hops.iter().map(|h| (h.sent_us, h.from, h.to)).collect();
        v.sort_unstable();
        v
    };
    let (first, all) = (sent(&capped), sent(&full));
    assert!(first.iter().all(|m| all.binary_search(m).is_ok()));
    assert!(first[cap - 1].0 <= all[cap].0, "the first messages sent");
}

#[test]
fn issue_tick_puts_every_event_of_a_flood_on_the_clock() {
    // Latencies and issue times both on a 10 ms clock: every send and arrival of the traced query falls on a whole
    // tick, its issue time is the microsecond-clock one rounded down, and the full-flood identities still hold
    // with many queries' messages sharing each instant.
    let latency = "{ dist = \"uniform\", min = 0.01, max = 0.04 }";
    let plain = full_flood_scenario("kind = \"random\"\nmean_degree = 8.0", latency, 400);
    let ticked = plain
        .replace("latency = {", "latency_tick = 0.01\nlatency = {")
        .replace(
            "query_rate = 0.002",
            "query_rate = 0.002\nissue_tick = 0.01",
        );
    assert!(ticked.contains("issue_tick") && ticked.contains("latency_tick"));
    assert_full_flood(&ticked);
    let (plain, ticked) = (scenario(&plain), scenario(&ticked));
    let w = World::build(&ticked, 0).expect("world builds");
    let t =
        gnutsim::strategies::trace_query(&ticked, &ticked.strategies[0], &w, 3).expect("a query");
    let p = gnutsim::strategies::trace_query(&plain, &plain.strategies[0], &w, 3).expect("a query");
    assert_eq!(t.issued_us, p.issued_us / 10_000 * 10_000);
    assert_ne!(
        p.issued_us % 10_000,
        0,
        "the plain issue time is off the tick"
    );
    assert!(t.hops.len() > 400, "{} messages", t.hops.len());
    for h in &t.hops {
        assert_eq!(h.sent_us % 10_000, 0, "{h:?}");
        assert_eq!(h.arrived_us.map_or(0, |a| a % 10_000), 0, "{h:?}");
    }
}

#[test]
fn expanding_ring_of_one_full_ring_is_a_full_flood() {
    // One ring whose TTL no path exhausts: the expanding ring's own tables (dense past 256 peers, where known
    // duplicates skip its step) must count exactly what a flood does.
    let text = full_flood_scenario(
        "kind = \"random\"\nmean_degree = 8.0",
        "{ dist = \"exponential\", mean = 0.05 }",
        400,
    )
    .replace(
        "kind = \"flooding\"\nttl = 400",
        "kind = \"expanding-ring\"\nttls = [400]\nring_wait = 100.0",
    );
    assert!(text.contains("expanding-ring"));
    assert_full_flood(&text);
}

#[test]
fn full_flood_with_ttl_just_above_the_diameter() {
    // With a constant latency, first copies travel shortest paths, so TTL = diameter + 1 already floods all.
    for topo in [
        "kind = \"random\"\nmean_degree = 8.0",
        "kind = \"regular\"\ndegree = 4",
    ] {
        let probe = scenario(&full_flood_scenario(
            topo,
            "{ dist = \"constant\", value = 0.05 }",
            400,
        ));
        let w = World::build(&probe, 0).expect("world builds");
        let diameter = (0..w.graph.len() as u32)
            .map(|v| stats::eccentricity(&w.graph, v))
            .max()
            .unwrap();
        assert!(diameter >= 4, "a non-trivial diameter: {diameter}");
        assert_full_flood(&full_flood_scenario(
            topo,
            "{ dist = \"constant\", value = 0.05 }",
            diameter + 1,
        ));
    }
}

#[test]
fn ttl_5_reach_matches_breadth_first_search_at_100k_peers() {
    // Random 4-regular graph, 100,000 peers: a TTL-5 flood reaches the peers within 5 hops (about 483 = 4 + 12
    // + 36 + 108 + 324 minus the few short cycles). With random latencies a first copy can arrive by a longer
    // path and stop early, so the tolerance is 1%.
    let s = scenario(
        r#"
seed = 11
duration = 10.0
[network]
peers = 100000
latency = { dist = "lognormal", median = 0.05, sigma = 0.5 }
[topology]
kind = "regular"
degree = 4
[content]
objects = 10
replicas_mean = 1.0
[workload]
query_rate = 0.0001
[[strategy]]
name = "ttl5"
kind = "flooding"
ttl = 5
[output]
queries = true
"#,
    );
    let w = World::build(&s, 0).expect("world builds");
    let out = gnutsim::strategies::simulate(&s, &s.strategies[0], &w);
    assert!(out.queries.len() >= 60, "{} queries", out.queries.len());
    let bfs: f64 = out
        .queries
        .iter()
        .map(|q| stats::reach_within(&w.graph, q.source, 5) as f64)
        .sum::<f64>()
        / out.queries.len() as f64;
    let reached = out.metrics.peers_reached_per_query.unwrap();
    assert!((470.0..=484.0).contains(&bfs), "BFS reach {bfs}");
    assert!(
        (reached - bfs).abs() <= 0.01 * bfs,
        "flood {reached} vs BFS {bfs}"
    );
}

#[test]
fn latency_tick_rounds_every_hop() {
    // Same tree as below, latency U(12 ms, 14 ms) on a 10 ms tick: every hop takes exactly 10 ms, so the 4 hops out
    // and 4 back take 80 ms; without the tick each hop takes 12-14 ms and the total is 96-112 ms.
    let g = Graph::from_edges(7, &[(0, 1), (0, 2), (1, 3), (1, 4), (2, 5), (2, 6)]);
    let latency = r#"latency = { dist = "uniform", min = 0.012, max = 0.014 }"#;
    let w = hand_world(g, vec![vec![6]], None);
    let ticked = scenario(&minimal(
        7,
        &format!("{latency}\nlatency_tick = 0.01"),
        &flood_strategy(4),
    ));
    let m = run_queries(&ticked, &w, &[3]).metrics;
    assert_eq!(m.mean_hops, Some(4.0));
    assert!(
        (m.mean_latency_s.unwrap() - 0.08).abs() < 1e-9,
        "{:?}",
        m.mean_latency_s
    );
    let plain = scenario(&minimal(7, latency, &flood_strategy(4)));
    let l = run_queries(&plain, &w, &[3])
        .metrics
        .mean_latency_s
        .unwrap();
    assert!((0.096..=0.112).contains(&l), "{l}");
}

fn flood_strategy(ttl: u32) -> String {
    format!("kind = \"flooding\"\nttl = {ttl}")
}

#[test]
fn hand_built_tree_counts_through_the_engine() {
    // Binary tree 0 -> 1, 2; 1 -> 3, 4; 2 -> 5, 6; object 0 on peer 6 only.
    let g = Graph::from_edges(7, &[(0, 1), (0, 2), (1, 3), (1, 4), (2, 5), (2, 6)]);
    let s = scenario(&minimal(7, "", &flood_strategy(4)));
    let w = hand_world(g, vec![vec![6]], None);
    // From 3: path 3-1-0-2-6 is 4 hops. Query messages: 3->1 (1), 1->0,4 (2), 0->2 (1), 2->5,6 (2) = 6.
    let out = run_queries(&s, &w, &[3]);
    let m = &out.metrics;
    assert_eq!((m.queries, m.successes), (1, 1));
    assert_eq!(m.query_messages, 6);
    assert_eq!(
        m.hit_messages, 4,
        "one hit message per hop of the reverse path"
    );
    assert_eq!(m.mean_hops, Some(4.0));
    assert_eq!(m.peers_reached_per_query, Some(6.0));
    assert_eq!(m.duplicate_messages, 0);
    // Latency: 4 hops out and 4 back at the constant default 50 ms.
    assert!((m.mean_latency_s.unwrap() - 0.4).abs() < 1e-9);
    // TTL 3 falls one hop short: not found, no hits, 5 query messages.
    let s3 = scenario(&minimal(7, "", &flood_strategy(3)));
    let out = run_queries(&s3, &w, &[3]);
    assert_eq!((out.metrics.successes, out.metrics.fail_not_found), (0, 1));
    assert_eq!(
        (out.metrics.query_messages, out.metrics.hit_messages),
        (4, 0)
    );
}

#[test]
fn hand_built_ring_and_star_through_the_engine() {
    // Ring of 6, object on the opposite peer 3, TTL 3: 6 query messages, 1 duplicate (at 3), two hits of 3 hops.
    let ring = Graph::from_edges(6, &(0..6).map(|i| (i, (i + 1) % 6)).collect::<Vec<_>>());
    let s = scenario(&minimal(6, "", &flood_strategy(3)));
    let w = hand_world(ring, vec![vec![3]], None);
    let m = run_queries(&s, &w, &[0]).metrics;
    assert_eq!((m.query_messages, m.duplicate_messages), (6, 1));
    // Peer 3 answers only the first copy it gets: one hit of 3 hops, 3 hit messages.
    assert_eq!((m.hit_messages, m.mean_hops), (3, Some(3.0)));
    // Star: hub 0, leaves 1..=5, object on leaf 5; query from leaf 1 with TTL 2.
    let star = Graph::from_edges(6, &(1..6).map(|i| (0, i)).collect::<Vec<_>>());
    let w = hand_world(star, vec![vec![5]], None);
    let s = scenario(&minimal(6, "", &flood_strategy(2)));
    let m = run_queries(&s, &w, &[1]).metrics;
    assert_eq!((m.query_messages, m.hit_messages, m.successes), (5, 2, 1));
    let s = scenario(&minimal(6, "", &flood_strategy(1)));
    let m = run_queries(&s, &w, &[1]).metrics;
    assert_eq!((m.query_messages, m.successes, m.fail_not_found), (1, 0, 1));
}

#[test]
fn bytes_on_the_hand_built_tree() {
    // The tree above, from 3 to the copy on 6 (TTL 4): 6 query messages and 4 hit messages. With the Gnutella 0.6
    // defaults (query 56 bytes, hit 97): 6 x 56 + 4 x 97 = 724 bytes. Without message_bytes the per-peer upload
    // is not counted (upload_kbps_max empty); the mean is the peers' bytes over 7 peers and the 100 s window.
    let g = Graph::from_edges(7, &[(0, 1), (0, 2), (1, 3), (1, 4), (2, 5), (2, 6)]);
    let w = hand_world(g, vec![vec![6]], None);
    let m = run_queries(&scenario(&minimal(7, "", &flood_strategy(4))), &w, &[3]).metrics;
    assert_eq!(m.bytes, 6 * 56 + 4 * 97);
    assert_eq!(m.bytes_per_query(), Some(724.0));
    assert!((m.upload_kbps_mean - 724.0 * 8.0 / 1000.0 / 100.0 / 7.0).abs() < 1e-12);
    assert_eq!(m.upload_kbps_max, None);
    // Given sizes: query 100, hit 200. Senders: 3 one query (100); 1 two queries and the hit to 3 (400); 0 one
    // query and the hit to 1 (300); 2 two queries and the hit to 0 (400); 6 the hit (200). Busiest: 400 bytes.
    let sized = scenario(&minimal(
        7,
        "message_bytes = { query = 100, hit = 200 }",
        &flood_strategy(4),
    ));
    let m = run_queries(&sized, &w, &[3]).metrics;
    assert_eq!(m.bytes, 6 * 100 + 4 * 200);
    assert!((m.upload_kbps_max.unwrap() - 400.0 * 8.0 / 1000.0 / 100.0).abs() < 1e-12);
    assert!((m.upload_kbps_mean - 1400.0 * 8.0 / 1000.0 / 100.0 / 7.0).abs() < 1e-12);
}

#[test]
fn a_full_flood_sends_2e_minus_n_plus_1_queries_worth_of_bytes() {
    // Every query of a full flood: (2E - N + 1) query messages of 56 bytes (the Gnutella 0.6 default), and the hits
    // coming back, 97 bytes each.
    let s = scenario(&full_flood_scenario(
        "kind = \"regular\"\ndegree = 4",
        "{ dist = \"exponential\", mean = 0.05 }",
        400,
    ));
    let w = World::build(&s, 0).expect("world");
    let m = gnutsim::strategies::simulate(&s, &s.strategies[0], &w).metrics;
    let (e, n) = (w.graph.edge_count() as u64, w.graph.len() as u64);
    assert_eq!(
        m.bytes,
        m.queries * (2 * e - n + 1) * 56 + m.hit_messages * 97
    );
}
