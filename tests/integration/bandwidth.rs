//! Upload bandwidth (`network.upload`) against closed forms: a message of B bytes holds its sender's uplink for
//! 8B/U seconds, one message at a time, then the latency applies.

use gnutsim::graph::Graph;
use gnutsim::workload::Arrival;
use gnutsim::world::World;

use crate::common::{at, hand_world, minimal, scenario, star, with_churn};

/// A flood of TTL `ttl` whose queries are `bytes` long, latency 0.1 s.
fn flood(peers: u32, bytes: u64, ttl: u32, extra: &str) -> gnutsim::scenario::Scenario {
    scenario(&minimal(
        peers,
        &format!(
            "latency = {{ dist = \"constant\", value = 0.1 }}\nmessage_bytes = {{ query = {bytes} }}\n{extra}"
        ),
        &format!("kind = \"flooding\"\nttl = {ttl}"),
    ))
}

/// Arrival times (seconds) of the traced query's query messages, in order.
fn arrivals(
    s: &gnutsim::scenario::Scenario,
    w: &World,
    queries: Vec<Arrival>,
    index: u64,
) -> Vec<f64> {
    let t = gnutsim::strategies::trace_arrivals(s, &s.strategies[0], w, queries.into_iter(), index)
        .expect("traced");
    let mut times: Vec<f64> = t
        .hops
        .iter()
        .filter(|h| h.kind.is_query())
        .filter_map(|h| h.arrived_us)
        .map(|us| us as f64 / 1e6)
        .collect();
    times.sort_by(f64::total_cmp);
    times
}

#[test]
fn a_star_centre_sends_its_copies_one_after_another() {
    // 1 MB over 100 Mbit/s holds the uplink 0.08 s: leaf i (in sending order) gets it at 0.08 i + 0.1 s.
    let s = flood(101, 1_000_000, 1, "");
    let mut w = hand_world(star(100), vec![vec![]], None);
    w.upload_bps = Some(vec![1e8; 101]);
    let got = arrivals(&s, &w, vec![at(0.0, 0)], 0);
    assert_eq!(got.len(), 100);
    for (i, t) in got.iter().enumerate() {
        let want = 0.08 * (i + 1) as f64 + 0.1;
        assert!((t - want).abs() < 1e-6, "leaf {}: {t} != {want}", i + 1);
    }
    // Unlimited upload: every copy after the latency alone.
    w.upload_bps = None;
    assert!(
        arrivals(&s, &w, vec![at(0.0, 0)], 0)
            .iter()
            .all(|&t| (t - 0.1).abs() < 1e-9)
    );
}

#[test]
fn each_hop_of_a_line_costs_the_latency_and_a_transmission() {
    // Line 0-1-2-3-4: peer k gets the flood at k (L + 8B/U) = k (0.1 + 0.08) s.
    let line = Graph::from_edges(5, &[(0, 1), (1, 2), (2, 3), (3, 4)]);
    let s = flood(5, 1_000_000, 4, "");
    let mut w = hand_world(line, vec![vec![]], None);
    w.upload_bps = Some(vec![1e8; 5]);
    let got = arrivals(&s, &w, vec![at(0.0, 0)], 0);
    let want: Vec<f64> = (1..=4).map(|k| k as f64 * 0.18).collect();
    assert_eq!(got.len(), 4);
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() < 1e-6, "{got:?} != {want:?}");
    }
}

#[test]
fn a_peer_that_leaves_drops_its_uplink_queue() {
    // The centre queues 100 copies of 0.08 s each and leaves at 0.95 s: the 10 that arrived by then (0.08 i + 0.1
    // <= 0.95 for i <= 10; the 11th lands at 0.98 s, after it left) are delivered, the other 90 lost. It comes
    // back at 1.5 s with an idle uplink: its next query at 2 s leaves at once (first copy at 2.18 s), not after
    // the 8 s the dropped queue would have taken.
    let text = minimal(
        101,
        "latency = { dist = \"constant\", value = 0.1 }\nmessage_bytes = { query = 1000000 }",
        "kind = \"flooding\"\nttl = 1",
    )
    .replace(
        "[output]",
        "[churn]\nsession = { dist = \"exponential\", mean = 100.0 }\ndowntime = { dist = \"exponential\", mean = 100.0 }\nrepair = false\ntarget_degree = 4\n[output]",
    );
    let churning = scenario(&text);
    let mut w = hand_world(star(100), vec![vec![]], None);
    w.upload_bps = Some(vec![1e8; 101]);
    let w = with_churn(w, vec![true; 101], &[(0.95, 0, false), (1.5, 0, true)]);
    let m = gnutsim::strategies::simulate_arrivals(
        &churning,
        &churning.strategies[0],
        &w,
        vec![at(0.0, 0)].into_iter(),
    )
    .metrics;
    assert_eq!(m.query_messages, 100);
    assert_eq!(m.lost_messages, 90, "{m:?}");
    let second = arrivals(&churning, &w, vec![at(0.0, 0), at(2.0, 0)], 1);
    assert_eq!(second.len(), 4, "the centre came back with 4 links");
    assert!((second[0] - 2.18).abs() < 1e-6, "{second:?}");
}

#[test]
fn uplinks_are_drawn_from_their_own_stream() {
    // Limited uplinks change nothing else of the world: same overlay, same content.
    let text = |extra: &str| {
        format!(
            "seed = 3\nduration = 10.0\n[network]\npeers = 300\n{extra}\n[topology]\nkind = \"random\"\n\
             mean_degree = 4.0\n[content]\nobjects = 20\nreplicas_mean = 2.5\n[workload]\nquery_rate = 0.01\n\
             [[strategy]]\nname = \"f\"\nkind = \"flooding\"\n"
        )
    };
    let a = World::build(&scenario(&text("")), 0).expect("world");
    let b = World::build(
        &scenario(&text(
            "upload = { dist = \"uniform\", min = 1e7, max = 1e8 }",
        )),
        0,
    )
    .expect("world");
    assert_eq!(
        a.graph.edges().collect::<Vec<_>>(),
        b.graph.edges().collect::<Vec<_>>()
    );
    for o in 0..20 {
        assert_eq!(a.content.holders(o), b.content.holders(o));
    }
    let bps = b.upload_bps.as_ref().expect("drawn");
    assert!(bps.iter().all(|&x| (1e7..=1e8).contains(&x)));
    assert!(a.upload_bps.is_none());
}
