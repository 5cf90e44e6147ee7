//! Peer capacity: FIFO processing at `capacity` messages/s, drops beyond `queue_limit`.

use gnutsim::graph::Graph;

use crate::common::{hand_world, minimal, run_queries, scenario};

/// Source 0 feeds peers 1..=10, which all link to peer 11: a TTL-2 flood from 0 sends 10 copies to peer 11
/// at the same moment (constant latency). Peer 12 is isolated: a copy there is online but unreachable.
fn funnel() -> Graph {
    let mut edges: Vec<(u32, u32)> = (1..=10).map(|i| (0, i)).collect();
    edges.extend((1..=10).map(|i| (i, 11)));
    Graph::from_edges(13, &edges)
}

#[test]
fn full_queue_drops_the_excess() {
    // Every peer handles 100 messages/s (10 ms each) and lets 3 wait: at peer 11 one message is in service, 3
    // wait and the other 6 are dropped.
    let s = scenario(&minimal(
        13,
        "capacity = { dist = \"constant\", value = 100.0 }\nqueue_limit = 3",
        "kind = \"flooding\"\nttl = 2",
    ));
    let w = hand_world(funnel(), vec![vec![11]], Some(10_000));
    let out = run_queries(&s, &w, &[0]);
    let m = &out.metrics;
    assert_eq!(m.query_messages, 20);
    assert_eq!(m.dropped_messages, 6);
    // 4 copies processed at 11: the first is new, 3 are duplicates.
    assert_eq!(m.duplicate_messages, 3);
    // Load of peer 11: 4 queries processed; peers 1..=10: their query and (for the first forwarder) the hit.
    assert_eq!(m.load_max, 4.0);
    // The hit still gets back: success, not a drop.
    assert_eq!((m.successes, m.fail_dropped), (1, 0));
    // Latency: 50 ms to 1..=10, 10 ms service, 50 ms to 11, 10 ms service, then the hit: 50 ms + 10 ms at the
    // forwarder, 50 ms + 10 ms at the source = 240 ms.
    assert!(
        (m.mean_latency_s.unwrap() - 0.24).abs() < 1e-9,
        "{:?}",
        m.mean_latency_s
    );
}

#[test]
fn a_query_that_only_loses_to_drops_fails_as_dropped() {
    // Queue limit 0: peer 11 takes the first copy and drops the other 9; the only copy is on the unreachable
    // peer 12, so the query fails, and because it lost messages to a full queue its reason is `dropped`.
    let s = scenario(&minimal(
        13,
        "capacity = { dist = \"constant\", value = 100.0 }\nqueue_limit = 0",
        "kind = \"flooding\"\nttl = 2",
    ));
    let w = hand_world(funnel(), vec![vec![12]], Some(10_000));
    let m = run_queries(&s, &w, &[0]).metrics;
    assert_eq!(m.dropped_messages, 9);
    assert_eq!((m.queries, m.fail_dropped, m.fail_no_copy), (1, 1, 0));
}

#[test]
fn unlimited_queue_delays_but_never_drops() {
    // No queue_limit: the 10 copies at peer 11 are served one after the other, 10 ms each.
    let s = scenario(&minimal(
        13,
        "capacity = { dist = \"constant\", value = 100.0 }",
        "kind = \"flooding\"\nttl = 2",
    ));
    let w = hand_world(funnel(), vec![vec![]], Some(10_000));
    let m = run_queries(&s, &w, &[0]).metrics;
    assert_eq!(
        (m.dropped_messages, m.duplicate_messages, m.load_max),
        (0, 9, 10.0)
    );
}
