//! The query workload: peers never ask for what they hold; Poisson counts; success with copies everywhere.

use gnutsim::world::World;

use crate::common::scenario;

#[test]
fn peers_never_query_what_they_hold_and_copies_everywhere_always_succeed() {
    // Every object on 49 of 50 peers: each query comes from the one peer without it, and any neighbour answers.
    let s = scenario(
        r#"
seed = 5
duration = 200.0
[network]
peers = 50
[topology]
kind = "regular"
degree = 3
[content]
objects = 30
replicas_mean = 49.0
popularity = { zipf = 1.0 }
[workload]
query_rate = 0.05
[[strategy]]
name = "f"
kind = "flooding"
ttl = 1
[output]
queries = true
"#,
    );
    let w = World::build(&s, 0).expect("world builds");
    let out = gnutsim::strategies::simulate(&s, &s.strategies[0], &w);
    // 500 arrivals expected; a peer lacks at least one of the 30 objects with probability 1 - (49/50)^30 = 0.45,
    // and a peer that holds everything has nothing to ask: about 227 queries (sd about 15).
    assert!(
        (160..300).contains(&out.metrics.queries),
        "{}",
        out.metrics.queries
    );
    assert_eq!(out.metrics.successes, out.metrics.queries);
    for q in &out.queries {
        assert!(!w.content.holds(q.source, q.object));
        assert_eq!(q.hops, Some(1));
    }
}

#[test]
fn query_count_matches_poisson_rate_and_warmup() {
    // 1000 peers x 0.002/s over [100, 1000) s: 1800 measured queries expected, sd 42; allow 4 sd.
    let s = scenario(
        r#"
seed = 8
duration = 1000.0
warmup = 100.0
[network]
peers = 1000
[topology]
kind = "random"
mean_degree = 3.0
[content]
objects = 100
replicas_mean = 2.0
[workload]
query_rate = 0.002
[[strategy]]
name = "f"
kind = "flooding"
ttl = 1
"#,
    );
    let w = World::build(&s, 0).expect("world builds");
    let out = gnutsim::strategies::simulate(&s, &s.strategies[0], &w);
    let q = out.metrics.queries as f64;
    assert!((q - 1800.0).abs() < 170.0, "{q}");
    // The timeseries counts every query of [0, duration), warmup included: 2000 expected, sd 45.
    let all: u64 = out.timeseries.iter().map(|b| b.queries).sum();
    assert!((all as f64 - 2000.0).abs() < 180.0, "{all}");
    assert_eq!(out.timeseries.len(), 100);
}
