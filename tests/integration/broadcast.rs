//! Broadcasts (`kind = "broadcast"`) against closed forms and hand counts: coverage times on rings, lines and
//! stars, message counts, the equality of gossip and flood where gossip's fanout covers every link, and what
//! churn, droppers and timeouts do to coverage. Times are whole microseconds in the engine; the closed forms are
//! compared within 1e-6 s (rounding of each transmission up to the microsecond, at most 1 us a hop).

use gnutsim::graph::Graph;
use gnutsim::metrics::RunMetrics;
use gnutsim::scenario::Scenario;
use gnutsim::workload::Arrival;
use gnutsim::world::World;

use crate::common::{at, gnutsim, gnutsim_ok, hand_world, out_dir, scenario, star, with_churn};

/// A broadcast-only scenario of `peers` (its overlay is replaced by hand-built worlds), latency `latency`, one
/// strategy with the given keys (`kind = "broadcast"` is added).
fn broadcast(peers: u32, latency: &str, network_extra: &str, keys: &str) -> Scenario {
    scenario(&format!(
        "duration = 100.0\n[network]\npeers = {peers}\nlatency = {latency}\n{network_extra}\n\
         [topology]\nkind = \"random\"\nmean_degree = 2.0\n[workload]\nquery_rate = 0.001\n\
         [[strategy]]\nname = \"b\"\nkind = \"broadcast\"\n{keys}\n[output]\nqueries = true\n"
    ))
}

const L: &str = "{ dist = \"constant\", value = 0.1 }";

fn ring(n: u32) -> Graph {
    Graph::from_edges(
        n as usize,
        &(0..n).map(|i| (i, (i + 1) % n)).collect::<Vec<_>>(),
    )
}

/// The metrics of broadcasts from `sources`, one a second from t = 0.
fn run(s: &Scenario, w: &World, sources: &[u32]) -> RunMetrics {
    let arrivals: Vec<Arrival> = sources
        .iter()
        .enumerate()
        .map(|(i, &p)| at(i as f64, p))
        .collect();
    gnutsim::strategies::simulate_arrivals(s, &s.strategies[0], w, arrivals.into_iter()).metrics
}

/// When each peer got the payload of the traced broadcast `index`, seconds after t = 0, in order.
fn payload_times(s: &Scenario, w: &World, arrivals: Vec<Arrival>, index: u64) -> Vec<f64> {
    let t =
        gnutsim::strategies::trace_arrivals(s, &s.strategies[0], w, arrivals.into_iter(), index)
            .expect("traced");
    let mut times: Vec<f64> = t
        .hops
        .iter()
        .filter(|h| h.kind == gnutsim::protocols::MsgKind::Payload)
        .filter(|h| h.fate == gnutsim::results::trace::Fate::New)
        .filter_map(|h| h.arrived_us)
        .map(|us| us as f64 / 1e6)
        .collect();
    times.sort_by(f64::total_cmp);
    times
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-6)
}

/// On a ring of N peers a flood reaches 2 peers per hop: t_p = L x the first hop h with 1 + 2h >= ceil(p N).
fn ring_time(n: u32, p: u64, latency: f64) -> f64 {
    let want = (p * n as u64).div_ceil(100);
    let h = (want.saturating_sub(1)).div_ceil(2);
    h as f64 * latency
}

#[test]
fn a_flood_on_a_ring_reaches_two_peers_a_hop_and_sends_2e_minus_n_plus_1_messages() {
    for n in [100u32, 101, 7] {
        let s = broadcast(n, L, "", "mode = \"flood\"");
        let w = hand_world(ring(n), vec![vec![]], None);
        let m = run(&s, &w, &[0, 3, 5]);
        assert_eq!(m.queries, 3);
        assert_eq!(m.successes, 3, "{m:?}");
        // E = N on a ring: 2E - (N - 1) = N + 1 messages a broadcast, 2 of them duplicates where the fronts meet.
        assert_eq!(m.messages, 3 * (n as u64 + 1));
        assert_eq!(m.query_messages, m.messages);
        assert_eq!(m.duplicate_messages, 3 * 2);
        assert_eq!(m.coverage, Some(1.0));
        assert!(close(m.t50_s, ring_time(n, 50, 0.1)), "N {n}: {m:?}");
        assert!(close(m.t90_s, ring_time(n, 90, 0.1)), "N {n}: {m:?}");
        assert!(close(m.t99_s, ring_time(n, 99, 0.1)), "N {n}: {m:?}");
        // Success is reaching 99%: its latency is t99, its hops the hop of that delivery.
        assert!(close(m.mean_latency_s, ring_time(n, 99, 0.1)));
        assert_eq!(m.peers_reached_per_query, Some(n as f64 - 1.0));
    }
    // N = 100: 50 peers at hop 25 (1 + 2 x 25 = 51 >= 50), 90 at 45, 99 at 49.
    assert_eq!(
        (
            ring_time(100, 50, 0.1),
            ring_time(100, 90, 0.1),
            ring_time(100, 99, 0.1)
        ),
        (2.5, 4.5, 4.9)
    );
}

#[test]
fn a_ttl_stops_the_flood_and_the_broadcast_falls_short() {
    // TTL 10 on a ring of 100: 1 + 2 x 10 = 21 peers, coverage 0.21; 50% never reached, so not a success.
    let s = broadcast(100, L, "", "ttl = 10");
    let w = hand_world(ring(100), vec![vec![]], None);
    let m = run(&s, &w, &[0]);
    assert!(close(m.coverage, 0.21), "{m:?}");
    assert_eq!((m.successes, m.fail_not_found), (0, 1));
    assert_eq!((m.t50_s, m.t90_s, m.t99_s), (None, None, None));
    assert_eq!(m.messages, 20);
}

#[test]
fn gossip_whose_fanout_covers_every_link_is_the_flood_message_for_message() {
    // On a ring every peer but the source has one neighbour besides its sender, and the source two: gossip with
    // fanout 2 sends exactly the flood's messages in the flood's order, so even random latencies agree.
    let exp = "{ dist = \"exponential\", mean = 0.1 }";
    let flood = broadcast(60, exp, "", "mode = \"flood\"");
    let gossip = broadcast(60, exp, "", "mode = \"gossip\"\nfanout = 2");
    let w = hand_world(ring(60), vec![vec![]], None);
    let sources = [0, 17, 33, 59, 8];
    let (a, b) = (run(&flood, &w, &sources), run(&gossip, &w, &sources));
    assert_eq!(a, b);
    assert!(a.t99_s.is_some() && a.t50_s < a.t99_s);
}

#[test]
fn gossip_sends_fanout_messages_per_peer_it_reaches() {
    // Each peer that gets the payload (the source included) sends it to `fanout` of its other neighbours: on a
    // 6-regular overlay, messages = fanout x (1 + peers reached), whatever the draws.
    let s = scenario(
        "duration = 50.0\nseed = 4\n[network]\npeers = 500\n[topology]\nkind = \"regular\"\ndegree = 6\n\
         [workload]\nquery_rate = 0.002\n[[strategy]]\nname = \"g\"\nkind = \"broadcast\"\nmode = \"gossip\"\n\
         fanout = 2\n",
    );
    let w = World::build(&s, 0).expect("world");
    let out = gnutsim::strategies::simulate(&s, &s.strategies[0], &w);
    let m = &out.metrics;
    assert!(m.queries > 20, "{m:?}");
    let reached = m.peers_reached_per_query.expect("broadcasts") * m.queries as f64;
    assert_eq!(m.messages as f64, 2.0 * (m.queries as f64 + reached));
    // Fanout 2 of 5 reaches most but not every peer of 500 (rumour spreading leaves a few out).
    let c = m.coverage.expect("coverage");
    assert!(c > 0.5 && c < 1.0, "coverage {c}");
}

#[test]
fn announce_pays_three_latencies_a_hop_plus_one_transmission_of_each_message() {
    // Ring of 100 without bandwidth: inv, getdata, payload: 3L a hop, so t_p is three times the flood's.
    let s = broadcast(100, L, "", "mode = \"announce\"");
    let w = hand_world(ring(100), vec![vec![]], None);
    let m = run(&s, &w, &[0]);
    assert!(
        close(m.t50_s, 3.0 * 2.5) && close(m.t99_s, 3.0 * 4.9),
        "{m:?}"
    );
    // Invs: 2 from the source, 1 from each other peer (never back to the peer it fetched from) = N + 1; a getdata
    // and a payload per peer but the source; the two invs where the fronts meet are duplicates.
    assert_eq!(m.messages, 101 + 2 * 99);
    assert_eq!(m.duplicate_messages, 2);
    // Line 0-1-2-3-4 over 100 Mbit/s uplinks, 1 MB payload: each hop is L + 8 inv/U, L + 8 getdata/U, L + 8B/U.
    let s = broadcast(
        5,
        L,
        "upload = { dist = \"constant\", value = 1e8 }",
        "mode = \"announce\"\npayload_bytes = 1000000",
    );
    let mut w = hand_world(
        Graph::from_edges(5, &[(0, 1), (1, 2), (2, 3), (3, 4)]),
        vec![vec![]],
        None,
    );
    w.upload_bps = Some(vec![1e8; 5]);
    // 61 bytes over 100 Mbit/s = 4.88 us, rounded up to 5 us; 1 MB = 80,000 us.
    let hop = 0.3 + 5e-6 + 5e-6 + 0.08;
    let got = payload_times(&s, &w, vec![at(0.0, 0)], 0);
    assert_eq!(got.len(), 4);
    for (k, t) in got.iter().enumerate() {
        let want = (k + 1) as f64 * hop;
        assert!((t - want).abs() < 1e-6, "peer {}: {t} != {want}", k + 1);
    }
}

#[test]
fn a_star_centre_floods_a_large_payload_one_copy_after_another() {
    // 1 + 100 peers, 1 MB over 100 Mbit/s: leaf i gets it at 0.08 i + 0.1 s. The 101 peers online at issue need
    // ceil(50.5) = 51 (the source and 50 leaves: 4.1 s), 91 (7.3 s) and 100 (8.02 s).
    let s = broadcast(
        101,
        L,
        "upload = { dist = \"constant\", value = 1e8 }",
        "payload_bytes = 1000000",
    );
    let mut w = hand_world(star(100), vec![vec![]], None);
    w.upload_bps = Some(vec![1e8; 101]);
    let got = payload_times(&s, &w, vec![at(0.0, 0)], 0);
    assert_eq!(got.len(), 100);
    for (i, t) in got.iter().enumerate() {
        let want = 0.08 * (i + 1) as f64 + 0.1;
        assert!((t - want).abs() < 1e-6, "leaf {}: {t} != {want}", i + 1);
    }
    let m = run(&s, &w, &[0]);
    assert!(
        close(m.t50_s, 4.1) && close(m.t90_s, 7.3) && close(m.t99_s, 8.02),
        "{m:?}"
    );
    // Bytes: 100 payloads of 1 MB; upload of the window (100 s) averaged over 101 peers.
    assert_eq!(m.bytes, 100_000_000);
    assert!((m.upload_kbps_mean - 1e8 * 8.0 / 1000.0 / 100.0 / 101.0).abs() < 1e-9);
}

#[test]
fn coverage_counts_only_the_peers_online_at_issue() {
    // Ring of 6 with peer 3 offline at issue: the audience is 5 peers, all reached (0-1-2 and 0-5-4), so
    // coverage is 1 and 99% (5 of 5) takes 2 hops. Peer 3 joins at 0.05 s and opens links, but never counts.
    let text = "duration = 100.0\n[network]\npeers = 6\nlatency = { dist = \"constant\", value = 0.1 }\n\
                [topology]\nkind = \"random\"\nmean_degree = 2.0\n[workload]\nquery_rate = 0.001\n\
                [churn]\nsession = { dist = \"exponential\", mean = 1000.0 }\n\
                downtime = { dist = \"exponential\", mean = 1000.0 }\nrepair = false\ntarget_degree = 2\n\
                [[strategy]]\nname = \"b\"\nkind = \"broadcast\"\n";
    let s = scenario(text);
    let mut online = vec![true; 6];
    online[3] = false;
    let w = with_churn(
        hand_world(ring(6), vec![vec![]], None),
        online,
        &[(0.05, 3, true)],
    );
    let m = run(&s, &w, &[0]);
    assert_eq!(m.coverage, Some(1.0), "{m:?}");
    assert!(close(m.t99_s, 0.2), "{m:?}");
    assert_eq!(m.successes, 1);
}

#[test]
fn droppers_count_as_reached_but_pass_nothing_on() {
    // Ring of 10 with a dropper next to the source (peer 1): the flood goes the long way round, 0-9-8-...-2, and
    // peer 2 gets it at hop 8. The dropper got the payload (it counts), so all 10 are covered.
    let s = broadcast(10, L, "", "");
    let mut w = hand_world(ring(10), vec![vec![]], None);
    w.roles = Some(gnutsim::adversaries::Roles::from_roles(
        (0..10)
            .map(|p| {
                if p == 1 {
                    gnutsim::adversaries::Role::Dropper
                } else {
                    gnutsim::adversaries::Role::Honest
                }
            })
            .collect(),
    ));
    let m = run(&s, &w, &[0]);
    assert_eq!(m.coverage, Some(1.0), "{m:?}");
    assert!(close(m.t99_s, 0.8), "{m:?}");
    // 0 -> 1 (swallowed), 0 -> 9, then 9, 8, ..., 2 each pass it on (2 -> 1 is a duplicate at the dropper).
    assert_eq!(m.messages, 10);
    assert_eq!(m.swallowed_messages, 1);
}

#[test]
fn a_broadcast_slower_than_its_timeout_fails_by_timeout() {
    let s = broadcast(100, L, "", "");
    let mut timed = s.clone();
    timed.strategies[0].timeout = Some(3.0);
    let w = hand_world(ring(100), vec![vec![]], None);
    let m = run(&timed, &w, &[0]);
    // 99% takes 4.9 s > 3 s; coverage and t99 are still measured.
    assert_eq!((m.successes, m.fail_timeout), (0, 1), "{m:?}");
    assert!(close(m.t99_s, 4.9));
}

#[test]
fn coverage_csv_holds_each_runs_mean_curve_ending_at_its_coverage() {
    let dir = out_dir("broadcast-coverage");
    let file = dir.with_extension("toml");
    std::fs::create_dir_all(dir.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &file,
        "name = \"cov\"\nduration = 60.0\nseed = 2\nreplications = 2\n[network]\npeers = 300\n\
         [topology]\nkind = \"random\"\nmean_degree = 4.0\n[workload]\nquery_rate = 0.001\n\
         [churn]\nsession = { dist = \"exponential\", mean = 30.0 }\n\
         downtime = { dist = \"exponential\", mean = 10.0 }\n\
         [[strategy]]\nname = \"flood\"\nkind = \"broadcast\"\n\
         [[strategy]]\nname = \"gossip\"\nkind = \"broadcast\"\nmode = \"gossip\"\nfanout = 2\n\
         [[strategy]]\nname = \"announce\"\nkind = \"broadcast\"\nmode = \"announce\"\n",
    )
    .expect("write scenario");
    gnutsim_ok(&[
        "run",
        file.to_str().expect("utf-8"),
        "-o",
        dir.to_str().expect("utf-8"),
        "--quiet",
    ]);
    let runs = gnutsim::output::merge::read_table(&dir.join("runs.csv")).expect("runs.csv");
    let cov = gnutsim::output::merge::read_table(&dir.join("coverage.csv")).expect("coverage.csv");
    assert_eq!(
        cov.header,
        ["point", "replication", "strategy", "t_s", "coverage"]
    );
    let col = |t: &gnutsim::output::tables::Table, name: &str| t.column(name).expect(name);
    let (rs, rr, rc) = (
        col(&runs, "strategy"),
        col(&runs, "replication"),
        col(&runs, "coverage"),
    );
    let (cs, cr, ct, cc) = (
        col(&cov, "strategy"),
        col(&cov, "replication"),
        col(&cov, "t_s"),
        col(&cov, "coverage"),
    );
    assert_eq!(runs.rows.len(), 6);
    for row in &runs.rows {
        let curve: Vec<(f64, f64)> = cov
            .rows
            .iter()
            .filter(|c| c[cs] == row[rs] && c[cr] == row[rr])
            .map(|c| (c[ct].parse().expect("t"), c[cc].parse().expect("coverage")))
            .collect();
        assert!(curve.len() > 10, "{}: {} points", row[rs], curve.len());
        assert_eq!(curve[0].0, 0.0);
        assert!(
            curve
                .windows(2)
                .all(|w| w[1].0 > w[0].0 && w[1].1 >= w[0].1)
        );
        let share: f64 = row[rc].parse().expect("coverage");
        // Under churn peers outside the audience may get it too, but never count: the share stays <= 1.
        assert!(share > 0.5 && share <= 1.0, "{share}");
        let last = curve.last().expect("points").1;
        assert!(
            (last - share).abs() < 1e-9,
            "{}: curve ends at {last}, coverage {share}",
            row[rs]
        );
        let (t50, t90, t99) = (
            row[col(&runs, "t50_s")].parse::<f64>().ok(),
            row[col(&runs, "t90_s")].parse::<f64>().ok(),
            row[col(&runs, "t99_s")].parse::<f64>().ok(),
        );
        assert!(t50 <= t90 || t90.is_none(), "{t50:?} {t90:?}");
        assert!(t90 <= t99 || t99.is_none(), "{t90:?} {t99:?}");
    }
    assert!(dir.join("plots/coverage.png").is_file());
    // Without a broadcast there is no coverage.csv.
    assert!(!std::path::Path::new("results/quickstart/coverage.csv").exists());
}

#[test]
fn broadcast_results_are_the_same_at_any_thread_count_and_sharding() {
    // Two payload sizes x 2 replications under churn, uplinks and gossip draws: 1 and 2 threads, and two shards
    // merged, give byte-identical CSVs (coverage.csv included).
    let dir = out_dir("broadcast-determinism");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let file = dir.join("b.toml");
    std::fs::write(
        &file,
        "name = \"det\"\nduration = 40.0\nseed = 4\nreplications = 2\n[network]\npeers = 200\n\
         upload = { dist = \"uniform\", min = 1e6, max = 1e7 }\n[topology]\nkind = \"random\"\nmean_degree = 5.0\n\
         [workload]\nquery_rate = 0.002\n[churn]\nsession = { dist = \"exponential\", mean = 60.0 }\n\
         downtime = { dist = \"exponential\", mean = 20.0 }\n\
         [[strategy]]\nname = \"gossip\"\nkind = \"broadcast\"\nmode = \"gossip\"\nfanout = 2\n\
         [[strategy]]\nname = \"announce\"\nkind = \"broadcast\"\nmode = \"announce\"\n\
         [output]\nqueries = true\n[sweep]\n\"strategy.*.payload_bytes\" = [1000, 100000]\n",
    )
    .expect("write");
    let f = file.to_str().expect("utf-8");
    let out = |name: &str| dir.join(name).to_str().expect("utf-8").to_string();
    for (name, extra) in [
        ("t1", vec!["--threads", "1"]),
        ("t2", vec!["--threads", "2"]),
        ("s1", vec!["--shard", "1/2"]),
        ("s2", vec!["--shard", "2/2"]),
    ] {
        let o = out(name);
        let mut args = vec!["run", f, "-o", o.as_str(), "--quiet", "--force"];
        args.extend(extra);
        gnutsim_ok(&args);
    }
    let merged = out("merged");
    let _ = std::fs::remove_dir_all(&merged);
    gnutsim_ok(&["merge", &out("s1"), &out("s2"), "-o", &merged]);
    for csv in [
        "runs.csv",
        "summary.csv",
        "coverage.csv",
        "queries.csv",
        "timeseries.csv",
    ] {
        let want = std::fs::read(dir.join("t1").join(csv)).expect(csv);
        for other in ["t2", "merged"] {
            let got = std::fs::read(dir.join(other).join(csv)).expect(csv);
            assert!(got == want, "{csv} of {other} differs from 1 thread");
        }
    }
}

#[test]
fn a_scenario_of_broadcasts_alone_needs_no_content_but_a_search_does() {
    let no_content = "duration = 10.0\n[network]\npeers = 50\n[topology]\nkind = \"random\"\nmean_degree = 4.0\n\
                      [workload]\nquery_rate = 0.01\n[[strategy]]\nname = \"b\"\nkind = \"broadcast\"\n";
    let s = scenario(no_content);
    assert_eq!(s.content.objects, 1);
    let with_flood = format!("{no_content}[[strategy]]\nname = \"f\"\nkind = \"flooding\"\n");
    let e = gnutsim::scenario::load_str(
        std::path::Path::new("x.toml"),
        &with_flood,
        &[],
        gnutsim::strategies::KINDS,
    )
    .expect_err("a search needs content");
    assert_eq!(e.key, "content");
    assert!(e.message.contains("only broadcasts"), "{}", e.message);
}

#[test]
fn bad_broadcast_keys_are_named() {
    let dir = out_dir("broadcast-bad");
    std::fs::create_dir_all(&dir).expect("mkdir");
    for (keys, key, says) in [
        (
            "mode = \"shout\"",
            "mode",
            "allowed: flood, gossip, announce",
        ),
        (
            "mode = \"flood\"\nfanout = 3",
            "fanout",
            "only mode = \"gossip\"",
        ),
        ("mode = \"gossip\"\nfanout = 0", "fanout", "from 1"),
        ("payload_bytes = 0", "payload_bytes", "from 1"),
        ("ttl = -1", "ttl", "0 (no hop limit)"),
    ] {
        let file = dir.join(format!("{key}.toml"));
        std::fs::write(
            &file,
            format!(
                "duration = 10.0\n[network]\npeers = 50\n[topology]\nkind = \"random\"\nmean_degree = 4.0\n\
                 [workload]\nquery_rate = 0.01\n[[strategy]]\nname = \"b\"\nkind = \"broadcast\"\n{keys}\n"
            ),
        )
        .expect("write");
        let o = gnutsim(&["check", file.to_str().expect("utf-8")]);
        assert_eq!(o.status.code(), Some(2), "{keys}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(&format!("strategy.b.{key}")), "{keys}: {err}");
        assert!(err.contains(says), "{keys}: {err}");
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Properties over random broadcast scenarios
// ---------------------------------------------------------------------------------------------------------------

mod properties {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    use super::*;

    /// A random broadcast scenario: one strategy of each mode, with the features that interact with coverage
    /// (TTL, uplinks, peer queues, churn, droppers) on or off.
    #[derive(Clone, Debug)]
    struct Case {
        peers: u32,
        mean_degree: f64,
        fanout: u32,
        ttl: u32,
        payload: u64,
        upload: Option<f64>,
        capacity: Option<(f64, u32)>,
        churn: Option<(f64, f64)>,
        droppers: Option<f64>,
        exponential: bool,
    }

    impl Case {
        fn toml(&self) -> String {
            let mut t = format!(
                "duration = 60.0\nseed = 9\n[network]\npeers = {}\nlatency = {}\n",
                self.peers,
                if self.exponential {
                    "{ dist = \"exponential\", mean = 0.05 }"
                } else {
                    "{ dist = \"constant\", value = 0.05 }"
                }
            );
            if let Some(u) = self.upload {
                t += &format!(
                    "upload = {{ dist = \"uniform\", min = {u}, max = {} }}\n",
                    u * 4.0
                );
            }
            if let Some((rate, limit)) = self.capacity {
                t += &format!(
                    "capacity = {{ dist = \"constant\", value = {rate} }}\nqueue_limit = {limit}\n"
                );
            }
            t += &format!(
                "[topology]\nkind = \"random\"\nmean_degree = {}\n[workload]\nquery_rate = {}\n",
                self.mean_degree,
                20.0 / (self.peers as f64 * 60.0)
            );
            if let Some((session, downtime)) = self.churn {
                t += &format!(
                    "[churn]\nsession = {{ dist = \"exponential\", mean = {session} }}\n\
                     downtime = {{ dist = \"exponential\", mean = {downtime} }}\n"
                );
            }
            if let Some(d) = self.droppers {
                t += &format!("[adversaries]\ndroppers = {d}\n");
            }
            for mode in ["flood", "gossip", "announce"] {
                t += &format!(
                    "[[strategy]]\nname = \"{mode}\"\nkind = \"broadcast\"\nmode = \"{mode}\"\nttl = {}\n\
                     payload_bytes = {}\n",
                    self.ttl, self.payload
                );
                if mode == "gossip" {
                    t += &format!("fanout = {}\n", self.fanout);
                }
            }
            t + "[output]\nqueries = true\n"
        }

        /// Nothing stops a flood or an announce short of the source's whole component.
        fn unhindered(&self) -> bool {
            self.ttl == 0
                && self.capacity.is_none()
                && self.churn.is_none()
                && self.droppers.is_none()
        }
    }

    fn cases() -> impl Strategy<Value = Case> {
        (
            (10u32..150, 1.5f64..6.0, 1u32..5),
            (
                prop_oneof![3 => Just(0u32), 1 => 1u32..6],
                prop_oneof![Just(100u64), Just(100_000), Just(1_000_000)],
            ),
            proptest::option::of(prop_oneof![Just(1e6), Just(1e7), Just(1e8)]),
            proptest::option::of((prop_oneof![Just(20.0), Just(2000.0)], 0u32..4)),
            proptest::option::of((5.0f64..100.0, 5.0f64..50.0)),
            proptest::option::of(0.0f64..0.3),
            any::<bool>(),
        )
            .prop_map(
                |(
                    (peers, mean, fanout),
                    (ttl, payload),
                    upload,
                    capacity,
                    churn,
                    droppers,
                    exponential,
                )| Case {
                    peers,
                    mean_degree: (mean * 10.0).round() / 10.0,
                    fanout,
                    ttl,
                    payload,
                    upload,
                    capacity,
                    churn: churn.map(|(s, d)| (s.round(), d.round())),
                    droppers: droppers.map(|d| (d * 100.0).round() / 100.0),
                    exponential,
                },
            )
    }

    /// The peers of `source`'s component: those at a finite hop distance.
    fn component(g: &Graph, source: u32) -> usize {
        gnutsim::topology::stats::bfs_distances(g, source)
            .iter()
            .filter(|&&d| d != u32::MAX)
            .count()
    }

    fn check(case: &Case) -> Result<(), TestCaseError> {
        let s = scenario(&case.toml());
        let w = World::build(&s, 0).expect("world");
        for st in &s.strategies {
            let out = gnutsim::strategies::simulate(&s, st, &w);
            let m = &out.metrics;
            let name = &st.name;
            prop_assert_eq!(
                m.successes
                    + m.fail_no_copy
                    + m.fail_not_found
                    + m.fail_lost
                    + m.fail_dropped
                    + m.fail_timeout
                    + m.fail_fooled,
                m.queries,
                "{}: failure reasons do not add up: {:?}",
                name,
                m
            );
            prop_assert_eq!(
                m.query_messages,
                m.first_receipts
                    + m.duplicate_messages
                    + m.lost_query_messages
                    + m.dropped_query_messages,
                "{}: payloads and invs not accounted for: {:?}",
                name,
                m
            );
            if m.queries == 0 {
                prop_assert!(out.coverage.is_empty());
                continue;
            }
            let c = m.coverage.expect("coverage with broadcasts");
            prop_assert!(c > 0.0 && c <= 1.0, "{}: coverage {}", name, c);
            // A broadcast that reached 99% reached 90% and 50% no later; the means are over the broadcasts that
            // reached each share, so they are ordered when every broadcast reached 99% (no timeout here).
            let times = [m.t50_s, m.t90_s, m.t99_s];
            for pair in times.windows(2) {
                if let (Some(a), Some(b)) = (pair[0], pair[1])
                    && m.successes == m.queries
                {
                    prop_assert!(a <= b, "{}: {:?}", name, times);
                }
                prop_assert!(
                    pair[1].is_none() || pair[0].is_some(),
                    "{}: {:?}",
                    name,
                    times
                );
            }
            prop_assert!(
                out.coverage
                    .windows(2)
                    .all(|p| p[1].0 > p[0].0 && p[1].1 >= p[0].1 - 1e-12),
                "{}: the curve goes back",
                name
            );
            let last = out.coverage.last().expect("a curve").1;
            prop_assert!(
                (last - c).abs() <= 1e-9,
                "{}: curve ends at {}, coverage {}",
                name,
                last,
                c
            );
            prop_assert_eq!(
                out.queries
                    .iter()
                    .filter(|q| q.outcome == gnutsim::metrics::Outcome::Success)
                    .count() as u64,
                m.successes
            );
            if case.unhindered() && st.name != "gossip" {
                // Every peer of the source's component gets it, and no other.
                let n = w.peers() as f64;
                let want: f64 = out
                    .queries
                    .iter()
                    .map(|q| component(&w.graph, q.source) as f64 / n)
                    .sum::<f64>()
                    / out.queries.len() as f64;
                prop_assert!(
                    (c - want).abs() <= 1e-9,
                    "{}: coverage {} != {}",
                    name,
                    c,
                    want
                );
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(Config {
            cases: 96,
            rng_seed: RngSeed::Fixed(22),
            failure_persistence: None,
            ..Config::default()
        })]

        #[test]
        fn broadcasts_account_for_every_message_and_cover_what_they_can(case in cases()) {
            check(&case)?;
        }
    }
}
