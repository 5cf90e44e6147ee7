//! Expanding ring, random walkers, placements and replication on success, against values known independently.

use gnutsim::engine;
use gnutsim::graph::Graph;
use gnutsim::rng::{Stream, stream};
use gnutsim::world::World;

use crate::common::{hand_world, minimal, run_queries, scenario};

fn walk_scenario(
    peers: u32,
    degree: u32,
    extra_content: &str,
    strategy: &str,
    rate: f64,
    duration: f64,
) -> String {
    format!(
        r#"
seed = 21
duration = {duration}
[network]
peers = {peers}
latency = {{ dist = "exponential", mean = 0.05 }}
[topology]
kind = "regular"
degree = {degree}
[content]
{extra_content}
[workload]
query_rate = {rate}
[[strategy]]
name = "s"
{strategy}
[output]
queries = true
"#
    )
}

#[test]
fn one_walker_covers_t_times_d_minus_2_over_d_minus_1_peers() {
    // Random 4-regular graph, 10,000 peers, one walker of T = 256 steps that never checks back, every object on
    // a single peer (so it almost never stops early): on a locally tree-like graph a walk of T steps visits
    // about T (d - 2) / (d - 1) = 170.7 distinct peers. 300 queries: the mean's standard error is under 1%,
    // and early stops (about 1.7% of walks) cost under 1%, inside the 3% tolerance.
    let s = scenario(&walk_scenario(
        10_000,
        4,
        "objects = 1000\nreplicas_mean = 1.0",
        "kind = \"random-walk\"\nwalkers = 1\nttl = 256\ncheck_every = 0",
        0.0003,
        100.0,
    ));
    let w = World::build(&s, 0).expect("world builds");
    let out = gnutsim::strategies::simulate(&s, &s.strategies[0], &w);
    assert!(out.metrics.queries >= 250, "{}", out.metrics.queries);
    let reached = out.metrics.peers_reached_per_query.unwrap();
    let want = 256.0 * 2.0 / 3.0;
    assert!((reached - want).abs() < 0.03 * want, "{reached} vs {want}");
    // Every step lands on a peer seen before (a duplicate) or not (a first visit): steps = first visits +
    // duplicates, exactly. On the tree-like graph about T / (d - 1) = 85.3 steps per walk go back.
    let m = &out.metrics;
    assert_eq!(
        m.query_messages,
        out.queries.iter().map(|q| q.reached).sum::<u64>() + m.duplicate_messages
    );
    let back = m.duplicate_messages as f64 / m.queries as f64;
    assert!((back - 256.0 / 3.0).abs() < 0.06 * 256.0 / 3.0, "{back}");
    // One message per step: a walk of T steps that finds nothing sends exactly T walker messages.
    for q in out
        .queries
        .iter()
        .filter(|q| q.outcome.name() == "not_found")
    {
        assert_eq!(q.messages, 256);
    }
}

#[test]
fn sixteen_walkers_succeed_as_often_as_their_coverage_predicts() {
    // 16 walkers x 16 steps on the same 4-regular graph, every object on 1% of the peers. If U distinct peers
    // are visited, the query fails only if none of them holds the object: P(success) = E[1 - (1 - r)^U] with
    // r = copies / (peers - 1) (the source holds no copy). We estimate E over U from 4,000 independent walks
    // computed here; the run has about 1,000 queries, so its success rate has a standard error of about 0.013:
    // 0.03 is over 2 sigma plus the estimate's own error.
    let s = scenario(&walk_scenario(
        10_000,
        4,
        "objects = 500\nreplicas_mean = 100.0",
        "kind = \"random-walk\"\nwalkers = 16\nttl = 16\ncheck_every = 0",
        0.001,
        100.0,
    ));
    let w = World::build(&s, 0).expect("world builds");
    let out = gnutsim::strategies::simulate(&s, &s.strategies[0], &w);
    let r: f64 = 100.0 / 9_999.0;
    let mut rng = stream(77, Stream::Protocol);
    let samples = 4_000;
    let expected: f64 = (0..samples)
        .map(|i| {
            let source = (i * 2_503) % 10_000;
            let u = gnutsim::validate::walks::distinct_visited(&w.graph, source, 16, 16, &mut rng);
            1.0 - (1.0 - r).powi(u as i32)
        })
        .sum::<f64>()
        / samples as f64;
    let got = out.metrics.success_rate().unwrap();
    assert!(out.metrics.queries > 800);
    assert!((0.6..0.95).contains(&expected), "{expected}");
    assert!(
        (got - expected).abs() < 0.03,
        "success {got} vs expected {expected}"
    );
}

#[test]
fn expanding_ring_waits_between_rings_through_the_engine() {
    // Line 0-1-2-3-4, object on 3 (3 hops). TTLs [1, 2, 4], ring_wait 1 s, constant latency 50 ms: rings 1 and 2
    // fail; ring 3 starts at t = 2 s and its hit arrives 6 hops later, at 2.3 s. Messages: 1 + 2 + 4 queries
    // and 3 hit messages.
    let g = Graph::from_edges(5, &[(0, 1), (1, 2), (2, 3), (3, 4)]);
    let s = scenario(&minimal(
        5,
        "",
        "kind = \"expanding-ring\"\nttls = [1, 2, 4]\nring_wait = 1.0",
    ));
    let w = hand_world(g.clone(), vec![vec![3]], None);
    let m = run_queries(&s, &w, &[0]).metrics;
    assert_eq!((m.query_messages, m.hit_messages, m.successes), (7, 3, 1));
    assert!((m.mean_latency_s.unwrap() - 2.3).abs() < 1e-9);
    assert_eq!(m.peers_reached_per_query, Some(4.0));
    // Object on peer 1: the first ring finds it, no second ring.
    let w = hand_world(g, vec![vec![1]], None);
    let m = run_queries(&s, &w, &[0]).metrics;
    assert_eq!((m.query_messages, m.hit_messages), (1, 1));
    assert!((m.mean_latency_s.unwrap() - 0.1).abs() < 1e-9);
}

#[test]
fn walker_revisits_are_duplicates() {
    // Regression (issue 17, item 1): revisits were never counted. Peers 0 and 1 linked, the only object on
    // isolated peer 2 (which asks nothing), so one walker of 5 steps from 0 goes 1, 0, 1, 0, 1 (from 1: 0, 1, 0,
    // 1, 0): one first visit, then four steps onto peers that have seen the query, the source included.
    let text = minimal(
        3,
        "",
        "kind = \"random-walk\"\nwalkers = 1\nttl = 5\ncheck_every = 0",
    )
    .replace("query_rate = 0.001", "query_rate = 1.0");
    let s = scenario(&text);
    let w = hand_world(Graph::from_edges(3, &[(0, 1)]), vec![vec![2]], None);
    let out = gnutsim::strategies::simulate(&s, &s.strategies[0], &w);
    let m = &out.metrics;
    assert!(m.queries > 50, "{m:?}");
    assert_eq!(
        (m.query_messages, m.first_receipts, m.duplicate_messages),
        (5 * m.queries, m.queries, 4 * m.queries)
    );
    assert_eq!(m.peers_reached_per_query, Some(1.0));
    let t = gnutsim::strategies::trace_query(&s, &s.strategies[0], &w, 0).expect("a query");
    let fates: Vec<&str> = t.hops.iter().map(|h| h.fate.name()).collect();
    assert_eq!(
        fates,
        ["new", "duplicate", "duplicate", "duplicate", "duplicate"]
    );
}

#[test]
fn walker_checks_cost_one_message_each_way_and_stop_walkers() {
    // Star: hub 0 with leaves 1..=4; the object on leaf 4. Two walkers from leaf 1, checking every step. Each
    // walker's first step reaches the hub (no copy), asks the source (check + answer), then goes on.
    let g = Graph::from_edges(5, &[(0, 1), (0, 2), (0, 3), (0, 4)]);
    let s = scenario(&minimal(
        5,
        "",
        "kind = \"random-walk\"\nwalkers = 2\nttl = 50\ncheck_every = 1",
    ));
    let w = hand_world(g, vec![vec![4]], None);
    let out = run_queries(&s, &w, &[1]);
    let m = &out.metrics;
    assert_eq!(m.successes, 1);
    // Every walker step but the last of each walker is followed by a check and its answer.
    let checks = m.messages - m.query_messages - m.hit_messages;
    assert!(checks.is_multiple_of(2), "checks come in pairs");
    assert!(checks >= 4, "{checks}");
}

#[test]
fn square_root_placement_shortens_unbounded_walks_by_the_predicted_factor() {
    // Zipf(1) popularity q over M = 100 objects, replicas_mean R: a walker needs about N / c_i steps to find
    // object i with c_i copies, so the mean search size is sum q_i N / c_i: N / R for uniform placement
    // (c_i = R) and for proportional placement (c_i = R M q_i) alike, and N (sum sqrt q_i)^2 / (R M) for
    // square-root placement: (sum sqrt q_i)^2 / M = 0.666 of uniform (Cohen and Shenker 2002).
    let m = 100;
    let h: f64 = (1..=m).map(|i| 1.0 / i as f64).sum();
    let sum_sqrt: f64 = (1..=m).map(|i| (1.0 / (i as f64 * h)).sqrt()).sum();
    let predicted = sum_sqrt * sum_sqrt / m as f64;
    assert!((predicted - 0.666).abs() < 0.001, "{predicted}");
    let search = |placement: &str| -> f64 {
        let s = scenario(&walk_scenario(
            4_000,
            8,
            &format!(
                "objects = 100\nreplicas_mean = 20.0\nreplication = \"{placement}\"\npopularity = {{ zipf = 1.0 }}"
            ),
            "kind = \"random-walk\"\nwalkers = 1\nttl = 1000000\ncheck_every = 0",
            0.0025,
            2_000.0,
        ));
        let w = World::build(&s, 0).expect("world builds");
        let out = gnutsim::strategies::simulate(&s, &s.strategies[0], &w);
        assert_eq!(
            out.metrics.successes, out.metrics.queries,
            "{placement}: unbounded walks all succeed"
        );
        out.metrics.mean_hops.unwrap()
    };
    let uniform = search("uniform");
    let proportional = search("proportional");
    let sqrt = search("square-root");
    // About 20,000 queries each: standard errors of the means are about 1% (uniform, square-root) and 2%
    // (proportional, whose rare objects have few copies), inside the 5% the comparison allows.
    assert!(
        (sqrt / uniform - predicted).abs() < 0.05 * predicted,
        "sqrt/uniform = {}",
        sqrt / uniform
    );
    assert!(
        (proportional / uniform - 1.0).abs() < 0.05,
        "proportional/uniform = {}",
        proportional / uniform
    );
}

#[test]
fn owner_replication_spreads_popular_objects_and_raises_success() {
    // Scenario: 2,000 peers of a random 4-regular graph, 200 objects with Zipf(1) popularity and 2 copies each,
    // flooding with TTL 2 (reaching about 16 peers). With owner replication every successful querier keeps a
    // copy, so popular objects gain copies and later floods find them more often than early ones.
    let text = |mode: &str| {
        walk_scenario(
            2_000,
            4,
            &format!(
                "objects = 200\nreplicas_mean = 2.0\npopularity = {{ zipf = 1.0 }}\nreplicate_on_hit = \"{mode}\""
            ),
            "kind = \"flooding\"\nttl = 2",
            0.005,
            2_000.0,
        )
    };
    let run = |mode: &str| {
        let s = scenario(&text(mode));
        let w = World::build(&s, 0).expect("world builds");
        gnutsim::strategies::simulate(&s, &s.strategies[0], &w)
    };
    let none = run("none");
    let owner = run("owner");
    // Copies: unchanged without replication; grown with it, most for the most popular objects.
    assert_eq!(none.copies_end, none.copies_start);
    assert!(owner.metrics.copies_per_object > 2.0 * none.metrics.copies_per_object);
    let gained = |o: usize| owner.copies_end[o] as i64 - owner.copies_start[o] as i64;
    let top: i64 = (0..10).map(gained).sum();
    let bottom: i64 = (190..200).map(gained).sum();
    assert!(
        top > 5 * bottom.max(1),
        "top 10 gained {top}, bottom 10 gained {bottom}"
    );
    // Success over time: the last quarter of the run beats the first quarter, and beats no replication.
    let rate = |out: &engine::RunOutput, from: usize, to: usize| {
        let b = &out.timeseries[from..to];
        b.iter().map(|x| x.successes).sum::<u64>() as f64
            / b.iter().map(|x| x.queries).sum::<u64>() as f64
    };
    assert!(rate(&owner, 75, 100) > rate(&owner, 0, 25) + 0.1);
    assert!(rate(&owner, 75, 100) > rate(&none, 75, 100) + 0.1);
    // The first hits found early are the same with and without replication (same world, same trace): the
    // first query's outcome agrees.
    assert_eq!(none.queries[0].outcome, owner.queries[0].outcome);
}

#[test]
fn path_replication_copies_along_the_hit_path() {
    // Line 0-1-2-3, object on 3, flooding TTL 3 from 0: the hit passes 2, 1 and 0, which all keep a copy.
    let g = Graph::from_edges(4, &[(0, 1), (1, 2), (2, 3)]);
    let text = minimal(4, "", "kind = \"flooding\"\nttl = 3").replace(
        "objects = 1\n",
        "objects = 1\nreplicate_on_hit = \"path\"\n",
    );
    let s = scenario(&text);
    let w = hand_world(g, vec![vec![3]], None);
    let out = run_queries(&s, &w, &[0]);
    assert_eq!(out.metrics.successes, 1);
    assert_eq!(out.copies_end, vec![4]);
    assert_eq!(out.metrics.copies_per_object, 4.0);
}
