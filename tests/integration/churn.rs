//! Churn in the engine: what leaving peers do to queries, against hand-built cases and the alternating renewal
//! process's steady state.

use gnutsim::engine;
use gnutsim::graph::Graph;
use gnutsim::world::World;

use crate::common::{hand_world, minimal, run_queries, scenario, with_churn};

/// A churn-enabled scenario around a hand-built world (its churn keys only switch churn on: the schedule is
/// the hand-built one).
fn churn_scenario(peers: u32, strategy: &str) -> gnutsim::scenario::Scenario {
    let text = minimal(peers, "", strategy).replace(
        "[output]",
        "[churn]\nsession = { dist = \"exponential\", mean = 100.0 }\ndowntime = { dist = \"exponential\", mean = 100.0 }\nrepair = false\n[output]",
    );
    scenario(&text)
}

fn line(n: u32) -> Graph {
    Graph::from_edges(
        n as usize,
        &(0..n - 1).map(|i| (i, i + 1)).collect::<Vec<_>>(),
    )
}

#[test]
fn a_hit_over_a_broken_path_never_counts() {
    // Line 0-1-2-3, object on 3, TTL 3, 50 ms per hop: the query reaches 3 at 150 ms and the hit would be back
    // at 300 ms. Peer 1 leaves at 180 ms, after the query passed it: the hit reaches 2 at 200 ms and finds its
    // link to 1 gone. The query fails as lost, not as a success.
    let s = churn_scenario(4, "kind = \"flooding\"\nttl = 3");
    let w = with_churn(
        hand_world(line(4), vec![vec![3]], None),
        vec![true; 4],
        &[(0.18, 1, false)],
    );
    let m = run_queries(&s, &w, &[0]).metrics;
    assert_eq!((m.queries, m.successes, m.fail_lost), (1, 0, 1));
    assert_eq!(m.lost_messages, 1);
    assert_eq!(m.hit_messages, 1, "the hit got one hop, 3 to 2");
    // Peer 1 leaves at 240 ms instead: the hit is already on its way to 1 (sent at 200 ms) and is lost on
    // arrival at 250 ms.
    let w = with_churn(
        hand_world(line(4), vec![vec![3]], None),
        vec![true; 4],
        &[(0.24, 1, false)],
    );
    let m = run_queries(&s, &w, &[0]).metrics;
    assert_eq!((m.successes, m.fail_lost, m.lost_messages), (0, 1, 1));
    assert_eq!(m.hit_messages, 2);
    // Without the leave, the same query succeeds.
    let w = with_churn(
        hand_world(line(4), vec![vec![3]], None),
        vec![true; 4],
        &[(50.0, 1, false)],
    );
    let m = run_queries(&s, &w, &[0]).metrics;
    assert_eq!((m.successes, m.fail_lost), (1, 0));
}

#[test]
fn offline_peers_handle_nothing_and_issue_nothing() {
    // Star: hub 0 with leaves 1..=4; leaf 4 holds the object but is offline from the start, and leaf 3 is offline
    // too. A query from 1 reaches the hub and the online leaf 2 only; no online copy: the query fails as no_copy.
    let star = Graph::from_edges(5, &[(0, 1), (0, 2), (0, 3), (0, 4)]);
    let s = churn_scenario(5, "kind = \"flooding\"\nttl = 2");
    let online = vec![true, true, true, false, false];
    let w = with_churn(
        hand_world(star.clone(), vec![vec![4]], None),
        online.clone(),
        &[],
    );
    let m = run_queries(&s, &w, &[1]).metrics;
    assert_eq!((m.queries, m.fail_no_copy), (1, 1));
    assert_eq!(
        m.query_messages, 2,
        "1 -> hub, hub -> 2: offline leaves have no links"
    );
    assert_eq!(m.peers_reached_per_query, Some(2.0));
    // Leaf 4 joins at 0.5 s (opening links to online peers): a query issued after that can find it.
    let w = with_churn(
        hand_world(star, vec![vec![4]], None),
        online,
        &[(0.5, 4, true)],
    );
    let out = run_queries(&s, &w, &[1, 1]);
    assert_eq!(out.metrics.queries, 2);
    assert_eq!(out.queries.len(), 2);
    assert_eq!(out.queries[0].outcome.name(), "no_copy");
    // An offline source issues nothing: queries from 3 (offline throughout) are not counted at all.
    let w = with_churn(
        hand_world(line(4), vec![vec![0]], None),
        vec![true, true, true, false],
        &[],
    );
    let s4 = churn_scenario(4, "kind = \"flooding\"\nttl = 3");
    let m = run_queries(&s4, &w, &[3, 3, 2]).metrics;
    assert_eq!(m.queries, 1);
}

#[test]
fn a_source_that_leaves_abandons_its_query() {
    // Line 0-1-2, object on 2; the source 0 leaves at 120 ms, before the hit comes back (200 ms).
    let s = churn_scenario(3, "kind = \"flooding\"\nttl = 2");
    let w = with_churn(
        hand_world(line(3), vec![vec![2]], None),
        vec![true; 3],
        &[(0.12, 0, false)],
    );
    let m = run_queries(&s, &w, &[0]).metrics;
    assert_eq!((m.successes, m.fail_lost), (0, 1));
}

#[test]
fn online_share_in_runs_matches_the_renewal_process() {
    // 2,000 peers with exponential sessions (mean 1800 s) and downtimes (mean 600 s), stationary start, over
    // 4 hours: the time-averaged online share is S / (S + D) = 0.75. Its standard error here is about 0.002
    // (each peer's state decorrelates in about 450 s), so 0.02 is 10 standard errors.
    let s = scenario(
        r#"
seed = 12
duration = 14400.0
[network]
peers = 2000
[topology]
kind = "random"
mean_degree = 6.0
[content]
objects = 100
replicas_mean = 10.0
[workload]
query_rate = 0.0002
[churn]
session = { dist = "exponential", mean = 1800.0 }
downtime = { dist = "exponential", mean = 600.0 }
target_degree = 6
min_degree = 3
[[strategy]]
name = "f"
kind = "flooding"
ttl = 4
"#,
    );
    let w = World::build(&s, 0).expect("world builds");
    let out = engine::simulate(&s, &s.strategies[0], &w);
    let share = out.metrics.online_mean / 2000.0;
    assert!((share - 0.75).abs() < 0.02, "{share}");
    // Queries come only from online peers: about 0.75 x 2000 x 0.0002 x 14400 = 4320 (Poisson sd 66).
    assert!(
        (out.metrics.queries as f64 - 4320.0).abs() < 300.0,
        "{}",
        out.metrics.queries
    );
    // The timeseries follows the same population.
    let mean_ts: f64 =
        out.timeseries.iter().map(|b| b.online_peers).sum::<f64>() / out.timeseries.len() as f64;
    assert!((mean_ts - out.metrics.online_mean).abs() < 1e-6 * out.metrics.online_mean);
    // Repairs happened and were paid for.
    assert!(out.metrics.repair_messages > 0 && out.metrics.repair_messages.is_multiple_of(2));
    assert!(out.metrics.join_messages > 0);
}
