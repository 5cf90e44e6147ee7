//! Churn in the engine: what leaving peers do to queries, against hand-built cases and the alternating renewal
//! process's steady state.

use gnutsim::engine::tracer::Fate;
use gnutsim::graph::Graph;
use gnutsim::protocols::MsgKind;
use gnutsim::workload::Arrival;
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

/// [`churn_scenario`] with one-second hops and joining peers opening `target_degree` links.
fn slow_churn_scenario(
    peers: u32,
    target_degree: u32,
    strategy: &str,
) -> gnutsim::scenario::Scenario {
    let text = minimal(
        peers,
        "latency = { dist = \"constant\", value = 1.0 }",
        strategy,
    )
    .replace(
        "[output]",
        &format!(
            "[churn]\nsession = {{ dist = \"exponential\", mean = 100.0 }}\ndowntime = {{ dist = \"exponential\", mean = 100.0 }}\nrepair = false\ntarget_degree = {target_degree}\n[output]"
        ),
    );
    scenario(&text)
}

/// One query from `source` at `t` seconds.
fn one_query(t: f64, source: u32) -> std::vec::IntoIter<Arrival> {
    vec![Arrival {
        time_us: (t * 1e6).round() as u64,
        source,
        object_draw: 0.0,
    }]
    .into_iter()
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
    let out = gnutsim::strategies::simulate(&s, &s.strategies[0], &w);
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

#[test]
fn a_hit_in_flight_to_a_peer_that_leaves_and_comes_back_is_lost() {
    // Regression (issue 17, item 3). Line 0-1-2-3, object on 3, one second a hop, the query issued by 0 at
    // 9.64 s: the hit leaves 2 for 1 at 13.64 s and lands at 14.64 s. Peer 1 leaves at 14.0 s and rejoins at
    // 14.5 s, linking again to every online peer (target degree 3 of 4 peers), 0 and 2 among them. The link
    // the hit was sent over closed at 14.0 s: the hit is lost, and so is the query.
    let s = slow_churn_scenario(4, 3, "kind = \"flooding\"\nttl = 3");
    let churned = |events: &[(f64, u32, bool)]| {
        with_churn(
            hand_world(line(4), vec![vec![3]], None),
            vec![true; 4],
            events,
        )
    };
    let w = churned(&[(14.0, 1, false), (14.5, 1, true)]);
    let out = gnutsim::strategies::simulate_arrivals(&s, &s.strategies[0], &w, one_query(9.64, 0));
    let m = &out.metrics;
    assert_eq!((m.queries, m.successes, m.fail_lost), (1, 0, 1), "{m:?}");
    assert_eq!((m.hit_messages, m.lost_messages), (2, 1));
    // Leaving at 14.7 s instead, after the hit passed 1: it is then on its way from 1 to 0, over a link that
    // closes, and is lost too (three hit messages sent).
    let w = churned(&[(14.7, 1, false), (14.9, 1, true)]);
    let m = gnutsim::strategies::simulate_arrivals(&s, &s.strategies[0], &w, one_query(9.64, 0))
        .metrics;
    assert_eq!((m.successes, m.hit_messages, m.lost_messages), (0, 3, 1));
    // Leaving at 15.7 s, once the hit is home at 15.64 s: the query succeeds.
    let w = churned(&[(15.7, 1, false), (15.9, 1, true)]);
    let m = gnutsim::strategies::simulate_arrivals(&s, &s.strategies[0], &w, one_query(9.64, 0))
        .metrics;
    assert_eq!((m.successes, m.lost_messages), (1, 0));
}

#[test]
fn a_query_in_flight_from_a_peer_that_leaves_is_lost() {
    // Line 0-1-2, one second a hop, TTL 2, object on 2, query at 0 s: 1 forwards at 1 s and leaves at 1.5 s
    // (rejoining at 1.8 s). The copy it sent to 2 was on a link that closed: lost on arrival at 2 s.
    let s = slow_churn_scenario(3, 2, "kind = \"flooding\"\nttl = 2");
    let w = with_churn(
        hand_world(line(3), vec![vec![2]], None),
        vec![true; 3],
        &[(1.5, 1, false), (1.8, 1, true)],
    );
    let m =
        gnutsim::strategies::simulate_arrivals(&s, &s.strategies[0], &w, one_query(0.0, 0)).metrics;
    assert_eq!((m.successes, m.fail_lost), (0, 1));
    assert_eq!(
        (m.query_messages, m.first_receipts, m.lost_query_messages),
        (2, 1, 1)
    );
}

#[test]
fn a_peer_that_left_and_came_back_takes_a_walker_as_new() {
    // Peers 0 and 1 linked; the only copy on peer 2, offline throughout. One walker from 0, 4 steps, asking the
    // source every 2 steps, one second a message: it reaches 1 at 1 s, 0 at 2 s, asks (answer back at 4 s), and
    // reaches 1 again at 5 s. Peer 1 left at 2.5 s and came back at 3 s (linking to 0, the one online peer):
    // it forgot the query, so the third step is a first visit again (of the one peer the walk reached).
    let s = slow_churn_scenario(
        3,
        1,
        "kind = \"random-walk\"\nwalkers = 1\nttl = 4\ncheck_every = 2",
    );
    let world = |events: &[(f64, u32, bool)]| {
        with_churn(
            hand_world(Graph::from_edges(3, &[(0, 1)]), vec![vec![2]], None),
            vec![true, true, false],
            events,
        )
    };
    let w = world(&[(2.5, 1, false), (3.0, 1, true)]);
    let m =
        gnutsim::strategies::simulate_arrivals(&s, &s.strategies[0], &w, one_query(0.0, 0)).metrics;
    assert_eq!(
        (m.query_messages, m.first_receipts, m.duplicate_messages),
        (4, 2, 2),
        "{m:?}"
    );
    assert_eq!(m.peers_reached_per_query, Some(1.0));
    // Without the leave: one first visit and three duplicates.
    let w = world(&[]);
    let m =
        gnutsim::strategies::simulate_arrivals(&s, &s.strategies[0], &w, one_query(0.0, 0)).metrics;
    assert_eq!(
        (m.query_messages, m.first_receipts, m.duplicate_messages),
        (4, 1, 3)
    );
}

#[test]
fn a_ring_whose_source_left_widens_no_further() {
    // Line 0-1-2, object on 2, rings of TTL 1 then 2 with a 5 s wait, one second a hop. The first ring reaches
    // 1 only. The source leaves at 3 s and comes back at 4 s, before the wait ends: it forgot the query, so no
    // second ring starts and the query is lost to churn.
    let s = slow_churn_scenario(
        3,
        2,
        "kind = \"expanding-ring\"\nttls = [1, 2]\nring_wait = 5.0",
    );
    let world = |events: &[(f64, u32, bool)]| {
        with_churn(
            hand_world(line(3), vec![vec![2]], None),
            vec![true; 3],
            events,
        )
    };
    let w = world(&[(3.0, 0, false), (4.0, 0, true)]);
    let m =
        gnutsim::strategies::simulate_arrivals(&s, &s.strategies[0], &w, one_query(0.0, 0)).metrics;
    assert_eq!((m.successes, m.fail_lost, m.query_messages), (0, 1, 1));
    // The trace says why: the wait ended at 5 s with the source gone.
    let t = gnutsim::strategies::trace_arrivals(&s, &s.strategies[0], &w, one_query(0.0, 0), 0)
        .expect("traced");
    assert_eq!(t.abandoned_us, Some(5_000_000));
    let text = gnutsim::output::trace::render(&t, 3, None);
    assert!(
        text.contains("at t = 5 s the source had left (forgetting the query): no wider ring"),
        "{text}"
    );
    let w = world(&[]);
    let m =
        gnutsim::strategies::simulate_arrivals(&s, &s.strategies[0], &w, one_query(0.0, 0)).metrics;
    assert_eq!((m.successes, m.query_messages), (1, 3));
}

#[test]
fn a_server_answer_to_a_source_that_left_and_came_back_is_lost() {
    // The index answers after one second each way (service 1 ms). The source leaves at 1.5 s, with its request
    // at the server, and comes back at 1.7 s: the answer arriving at 2 s is for a query it has forgotten.
    let s = slow_churn_scenario(
        2,
        1,
        "kind = \"client-server\"\nservers = 1\nservice_rate = 1000.0",
    );
    let world = |events: &[(f64, u32, bool)]| {
        with_churn(
            hand_world(Graph::from_edges(2, &[(0, 1)]), vec![vec![1]], None),
            vec![true; 2],
            events,
        )
    };
    let w = world(&[(1.5, 0, false), (1.7, 0, true)]);
    let m =
        gnutsim::strategies::simulate_arrivals(&s, &s.strategies[0], &w, one_query(0.0, 0)).metrics;
    assert_eq!((m.successes, m.fail_lost, m.lost_messages), (0, 1, 1));
    let w = world(&[]);
    let m =
        gnutsim::strategies::simulate_arrivals(&s, &s.strategies[0], &w, one_query(0.0, 0)).metrics;
    assert_eq!(m.successes, 1);
}

#[test]
fn the_trace_shows_a_hit_that_could_not_go_on_as_lost() {
    // Regression (issue 17, item 4): line 0-1-2-3, object on 3, 50 ms a hop; peer 1 leaves at 180 ms, so the hit
    // reaches 2 at 200 ms and cannot go on. The trace showed it as "passed on" with "0 lost".
    let s = churn_scenario(4, "kind = \"flooding\"\nttl = 3");
    let w = with_churn(
        hand_world(line(4), vec![vec![3]], None),
        vec![true; 4],
        &[(0.18, 1, false)],
    );
    let t = gnutsim::strategies::trace_arrivals(&s, &s.strategies[0], &w, one_query(0.0, 0), 0)
        .expect("traced");
    let hits: Vec<(u32, u32, Fate)> = t
        .hops
        .iter()
        .filter(|h| h.kind == MsgKind::Hit)
        .map(|h| (h.from, h.to, h.fate))
        .collect();
    assert_eq!(hits, [(3, 2, Fate::Lost)]);
    let text = gnutsim::output::trace::render(&t, 4, None);
    assert!(text.contains(", 1 lost,"), "{text}");
    assert!(text.contains("outcome: lost"), "{text}");
    assert!(!text.contains("passed on"), "{text}");
}
