//! Topologies through the engine and the `topology` and `trace` commands.

use std::process::Command;

use gnutsim::graph::Graph;
use gnutsim::world::World;

use crate::common::{hand_world, minimal, run_queries, scenario};

/// Runs gnutsim: (success, stdout, stderr).
fn gnutsim(args: &[&str]) -> (bool, String, String) {
    let o = crate::common::gnutsim(args);
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Ultrapeers 0, 1, 2 in a triangle; leaves 3 (on 0), 4 (on 0 and 1), 5 (on 1), 6 (on 2), 7 (on 2 and 0).
fn two_tier_world(holder: u32) -> World {
    let g = Graph::from_edges(
        8,
        &[
            (0, 1),
            (1, 2),
            (0, 2),
            (0, 3),
            (0, 4),
            (1, 4),
            (1, 5),
            (2, 6),
            (2, 7),
            (0, 7),
        ],
    );
    let mut w = hand_world(g, vec![vec![holder]], None);
    w.ultrapeers = Some(vec![true, true, true, false, false, false, false, false]);
    w
}

#[test]
fn two_tier_flood_from_a_leaf_goes_through_ultrapeers_only() {
    // From leaf 3 with TTL 2, object on leaf 6: 3 -> 0 (hop 1); 0 -> 1, 0 -> 2 (hop 2, TTL spent); ultrapeer 2
    // passes the query to its leaf 6, which holds the object (the query routing protocol), and 1 to none of
    // its leaves. 4 query messages; the hit goes 6 -> 2 -> 0 -> 3.
    let s = scenario(&minimal(8, "", "kind = \"flooding\"\nttl = 2"));
    let w = two_tier_world(6);
    let out = run_queries(&s, &w, &[3]);
    let m = &out.metrics;
    assert_eq!(
        (m.query_messages, m.hit_messages, m.duplicate_messages),
        (4, 3, 0)
    );
    assert_eq!((m.successes, m.mean_hops), (1, Some(3.0)));
    assert_eq!(m.peers_reached_per_query, Some(4.0));
    // Leaves carry only what concerns them: leaf 6 one query, leaf 3 the hit; ultrapeers the rest.
    assert_eq!(m.load_max_leaf, Some(1.0));
    assert_eq!(m.load_mean_leaf, Some(2.0 / 5.0));
    assert_eq!(m.load_mean_ultrapeer, Some(5.0 / 3.0));
    // With the object on leaf 4, which hangs on ultrapeers 0 and 1: both pass the query to it (5 query messages,
    // one a duplicate at 4); the first copy's hit goes 4 -> 0 -> 3.
    let out = run_queries(&s, &two_tier_world(4), &[3]);
    let m = &out.metrics;
    assert_eq!(
        (m.query_messages, m.duplicate_messages, m.hit_messages),
        (5, 1, 2)
    );
}

#[test]
fn two_tier_leaves_never_forward_on_a_generated_overlay() {
    // 2,000 peers, 10% ultrapeers, a full flood (TTL 10) of every query: a leaf processes a query only if it
    // holds the object (the last hop), so leaf load is hits' and answers' business. Every leaf has exactly
    // leaf_links ultrapeer neighbours.
    let s = scenario(
        r#"
seed = 2
duration = 100.0
[network]
peers = 2000
[topology]
kind = "two-tier"
ultrapeer_share = 0.1
ultrapeer_degree = 6
leaf_links = 2
[content]
objects = 50
replicas_mean = 4.0
[workload]
query_rate = 0.001
[[strategy]]
name = "f"
kind = "flooding"
ttl = 10
[[strategy]]
name = "w"
kind = "random-walk"
walkers = 4
ttl = 64
check_every = 0
"#,
    );
    let w = World::build(&s, 0).expect("world builds");
    let up = w.ultrapeers.as_ref().expect("two-tier");
    for v in 0..2000u32 {
        if !up[v as usize] {
            let nb = w.graph.neighbours(v);
            assert_eq!(nb.len(), 2);
            assert!(
                nb.iter().all(|&u| up[u as usize]),
                "leaves link only to ultrapeers"
            );
        }
    }
    for (i, st) in s.strategies.iter().enumerate() {
        let out = gnutsim::strategies::simulate(&s, st, &w);
        let m = &out.metrics;
        assert!(m.queries > 100);
        // Almost every query finds one of 4 copies: the ultrapeers know their leaves' content.
        assert!(
            m.success_rate().unwrap() > if i == 0 { 0.99 } else { 0.8 },
            "{}",
            st.name
        );
        // Leaves are spared: their busiest gets a tiny share of the ultrapeers' busiest.
        assert!(
            m.load_max_leaf.unwrap() * 5.0 < m.load_max_ultrapeer.unwrap(),
            "{}",
            st.name
        );
    }
}

#[test]
fn topology_prints_the_power_law_exponent() {
    // 100,000 peers, degrees from P(k) ~ k^-2.5 on [3, peers - 1]: the discrete maximum-likelihood fit with x_min
    // chosen by the smallest KS distance is within 0.15 of the requested exponent.
    let (ok, out, err) = gnutsim(&[
        "topology",
        "scenarios/quickstart.toml",
        "--set",
        "network.peers=100000",
        "--set",
        "topology={ kind = \"power-law\", exponent = 2.5, min_degree = 3 }",
    ]);
    assert!(ok, "{err}");
    let get = |key: &str| -> f64 {
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}: ")))
            .unwrap_or_else(|| panic!("no {key} in {out}"))
            .parse()
            .expect("a number")
    };
    assert!((get("powerlaw_exponent") - 2.5).abs() < 0.15, "{out}");
    assert_eq!(get("peers"), 100000.0);
    for key in [
        "edges",
        "mean_degree",
        "max_degree",
        "components",
        "largest_component_share",
        "clustering",
        "powerlaw_xmin",
    ] {
        get(key);
    }
}

#[test]
fn topology_exports_an_edge_list_that_reads_back() {
    let dir = crate::common::out_dir("edgelist");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let file = dir.join("overlay.edges");
    let f = file.to_str().expect("utf-8");
    let (ok, _, err) = gnutsim(&[
        "topology",
        "scenarios/quickstart.toml",
        "--format",
        "edgelist",
        "-o",
        f,
    ]);
    assert!(ok, "{err}");
    assert!(
        err.contains("disconnected"),
        "a mean degree of 4 leaves some peers apart, and the warning says so"
    );
    let original = World::build(
        &scenario(&std::fs::read_to_string("scenarios/quickstart.toml").expect("read")),
        0,
    )
    .expect("world");
    let list = gnutsim::scenario::files::read_edge_list(&file, 2000).expect("reads back");
    let read = gnutsim::topology::edgelist::graph(&list, 2000).expect("this network");
    assert_eq!(read, original.graph);
    // The same file as a scenario's topology.
    let scen = dir.join("from-file.toml");
    std::fs::write(
        &scen,
        std::fs::read_to_string("scenarios/quickstart.toml")
            .expect("read")
            .replace(
                "kind = \"random\"\nmean_degree = 4.0",
                "kind = \"edgelist\"\npath = \"overlay.edges\"",
            ),
    )
    .expect("write");
    let (ok, out, err) = gnutsim(&["topology", scen.to_str().expect("utf-8")]);
    assert!(ok, "{err}");
    assert!(out.contains("edges: 4000\n"), "{out}");
    // check's work estimate counts the links validation read: 4,000 links on 2,000 peers is the quickstart's
    // mean degree 4, so the same events.
    let plan = |path: &std::path::Path| {
        gnutsim::scenario::load_plan(path, &[], gnutsim::strategies::KINDS).expect("valid")
    };
    let from_file = gnutsim::estimate::estimate_work(&plan(&scen), 2);
    let random = gnutsim::estimate::estimate_work(
        &plan(std::path::Path::new("scenarios/quickstart.toml")),
        2,
    );
    assert_eq!(from_file.events, random.events);
    // A bad line in the file is reported with the file's line number, exit status 2.
    let mut text = std::fs::read_to_string(&file).expect("read");
    text.push_str("5 five\n");
    let line = text.lines().count();
    std::fs::write(&file, text).expect("write");
    let o = Command::new(env!("CARGO_BIN_EXE_gnutsim"))
        .args(["check", scen.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("overlay.edges:{line}:")), "{err}");
}

#[test]
fn trace_of_a_ttl2_flood_on_a_six_peer_ring() {
    // Ring 0-1-2-3-4-5-0 with constant 50 ms hops; the object sits opposite the source, out of TTL 2's reach.
    // The flood sends exactly 4 query messages: to both neighbours (hop 1), then one step further each way
    // (hop 2); all new, no duplicate, no hit.
    let ring = Graph::from_edges(6, &(0..6).map(|i| (i, (i + 1) % 6)).collect::<Vec<_>>());
    let s = scenario(&minimal(6, "", "kind = \"flooding\"\nttl = 2"));
    let probe = hand_world(ring.clone(), vec![vec![0]], None);
    let first = gnutsim::strategies::trace_query(&s, &s.strategies[0], &probe, 0).expect("a query");
    let src = first.source;
    let w = hand_world(ring, vec![vec![(src + 3) % 6]], None);
    let t = gnutsim::strategies::trace_query(&s, &s.strategies[0], &w, 0).expect("a query");
    assert_eq!(t.source, src);
    let got: Vec<(u64, u32, u32, u32, &str)> = t
        .hops
        .iter()
        .map(|h| {
            (
                h.arrived_us.unwrap() - t.issued_us,
                h.hops,
                h.from,
                h.to,
                h.fate.name(),
            )
        })
        .collect();
    let (l, r) = ((src + 5) % 6, (src + 1) % 6);
    let mut want = vec![
        (50_000, 1, src, l, "new"),
        (50_000, 1, src, r, "new"),
        (100_000, 2, l, (src + 4) % 6, "new"),
        (100_000, 2, r, (src + 2) % 6, "new"),
    ];
    let mut got_sorted = got.clone();
    got_sorted.sort();
    want.sort();
    assert_eq!(got_sorted, want);
    assert_eq!(t.outcome.map(|o| o.name()), Some("not_found"));
    assert_eq!(t.reached, 4);
    // The text view lists the same four messages and the totals.
    let text = gnutsim::output::trace::render(&t, 6, None);
    assert_eq!(text.lines().filter(|l| l.contains(" query ")).count(), 4);
    assert!(text.contains("totals: 4 messages (4 query, 0 hit, 0 other), 0 duplicates"));
}
