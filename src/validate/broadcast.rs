//! Broadcasts: coverage times and message counts on a ring, against hand-derived closed forms (exact: a
//! constant latency and integer-microsecond times leave no sampling error).

use super::{Check, Row, load};
use crate::error::ScenarioError;
use crate::metrics::RunMetrics;
use crate::scenario::Scenario;
use crate::strategies;
use crate::workload::Arrival;
use crate::world::World;

const RING: (&str, &str) = (
    "broadcast-ring.toml",
    include_str!("suite/broadcast-ring.toml"),
);
const UPLINK: (&str, &str) = (
    "broadcast-uplink.toml",
    include_str!("suite/broadcast-uplink.toml"),
);

pub const CHECKS: &[Check] = &[
    Check {
        name: "broadcast-ring",
        theory: "on a ring of N peers with latency L a flood reaches 1 + 2h peers by hop h: t_p = L x the first h \
                 with 1 + 2h >= ceil(p N); 2E - (N - 1) messages, 2 duplicates; gossip of fanout 2 is the flood; \
                 announce takes 3L a hop",
        scenarios: &[RING],
        run: ring,
    },
    Check {
        name: "broadcast-uplink",
        theory: "with a payload of B bytes over uplinks of U bit/s a hop costs L + 8B/U, and the source's second \
                 copy waits 8B/U for its first",
        scenarios: &[UPLINK],
        run: uplink,
    },
];

/// Times are exact microseconds; means of equal values may differ from them in the last bit.
const TIME_TOLERANCE: f64 = 1e-9;

/// The hop at which a flood on a ring of `n` has reached ceil(`percent` x n / 100) peers, source included.
fn ring_hop(n: u64, percent: u64) -> u64 {
    (percent * n).div_ceil(100).saturating_sub(1).div_ceil(2)
}

/// Broadcasts from evenly spaced sources, `gap_s` apart (so that none overlaps another).
fn spaced(s: &Scenario, world: &World, strategy: usize, count: u32, gap_s: f64) -> RunMetrics {
    let n = world.peers();
    let arrivals = (0..count).map(move |i| Arrival {
        time_us: (f64::from(i) * gap_s * 1e6).round() as u64,
        source: i * 37 % n,
        object_draw: 0.0,
    });
    strategies::simulate_arrivals(s, &s.strategies[strategy], world, arrivals).metrics
}

fn per_broadcast(total: u64, m: &RunMetrics) -> f64 {
    total as f64 / m.queries.max(1) as f64
}

fn time_row(what: String, measured: Option<f64>, theory: f64) -> Row {
    Row {
        check: "",
        what,
        measured: measured.unwrap_or(f64::NAN),
        theory,
        tolerance: TIME_TOLERANCE,
    }
}

fn ring() -> Result<Vec<Row>, ScenarioError> {
    let (file, text) = RING;
    let s = load(file, text)?;
    let world = World::build(&s, 0)?;
    let n = u64::from(world.peers());
    let e = world.graph.edge_count() as f64;
    let l = 0.1;
    let flood = spaced(&s, &world, 0, 10, 20.0);
    let gossip = spaced(&s, &world, 1, 10, 20.0);
    let announce = spaced(&s, &world, 2, 10, 20.0);
    let mut rows = vec![
        Row {
            check: "",
            what: "flood: messages per broadcast = 2E - (N - 1)".into(),
            measured: per_broadcast(flood.messages, &flood),
            theory: 2.0 * e - (n as f64 - 1.0),
            tolerance: 0.0,
        },
        Row {
            check: "",
            what: "flood: duplicates per broadcast = 2".into(),
            measured: per_broadcast(flood.duplicate_messages, &flood),
            theory: 2.0,
            tolerance: 0.0,
        },
    ];
    for (p, t) in [(50, flood.t50_s), (90, flood.t90_s), (99, flood.t99_s)] {
        rows.push(time_row(
            format!("flood: t{p} = L x hop {} (s)", ring_hop(n, p)),
            t,
            l * ring_hop(n, p) as f64,
        ));
    }
    rows.push(Row {
        check: "",
        what: "gossip fanout 2: messages = the flood's".into(),
        measured: per_broadcast(gossip.messages, &gossip),
        theory: per_broadcast(flood.messages, &flood),
        tolerance: 0.0,
    });
    rows.push(time_row(
        "gossip fanout 2: t99 = the flood's (s)".into(),
        gossip.t99_s,
        l * ring_hop(n, 99) as f64,
    ));
    for (p, t) in [(50, announce.t50_s), (99, announce.t99_s)] {
        rows.push(time_row(
            format!("announce: t{p} = 3L x hop {} (s)", ring_hop(n, p)),
            t,
            3.0 * l * ring_hop(n, p) as f64,
        ));
    }
    Ok(rows
        .into_iter()
        .map(|r| Row {
            check: "broadcast-ring",
            ..r
        })
        .collect())
}

/// On the uplink ring: when the `k`-th peer after the source gets the payload. The fronts alternate: the first
/// front's h-th peer at h c, the second's at h c + t (c = L + t, t = 8B/U).
fn uplink_time(k: u64, latency: f64, transmit: f64) -> f64 {
    let hop = latency + transmit;
    let h = k.div_ceil(2) as f64;
    if k % 2 == 1 {
        h * hop
    } else {
        h * hop + transmit
    }
}

fn uplink() -> Result<Vec<Row>, ScenarioError> {
    let (file, text) = UPLINK;
    let s = load(file, text)?;
    let world = World::build(&s, 0)?;
    let n = u64::from(world.peers());
    let m = spaced(&s, &world, 0, 8, 30.0);
    let transmit = 1e6 * 8.0 / 1e8;
    let mut rows = Vec::new();
    for (p, t) in [(50, m.t50_s), (90, m.t90_s), (99, m.t99_s)] {
        let k = (p * n).div_ceil(100) - 1;
        rows.push(Row {
            check: "broadcast-uplink",
            ..time_row(
                format!("flood: t{p} = peer {k}'s arrival (s)"),
                t,
                uplink_time(k, 0.1, transmit),
            )
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closed_forms_count_as_by_hand() {
        // Ring of 100: 50 peers at hop 25 (1 + 50 >= 50), 90 at 45, 99 at 49.
        assert_eq!(
            (ring_hop(100, 50), ring_hop(100, 90), ring_hop(100, 99)),
            (25, 45, 49)
        );
        // Uplink ring: peer 1 at 0.18, peer 2 at 0.26, peer 3 at 0.36.
        for (k, t) in [(1, 0.18), (2, 0.26), (3, 0.36), (98, 8.9)] {
            assert!((uplink_time(k, 0.1, 0.08) - t).abs() < 1e-12, "{k}");
        }
    }

    #[test]
    fn wrong_models_fail() {
        let rows: Vec<Row> = ring()
            .unwrap()
            .into_iter()
            .chain(uplink().unwrap())
            .collect();
        let measured = |what: &str| {
            rows.iter()
                .find(|r| r.what.starts_with(what))
                .map(|r| r.measured)
                .unwrap()
        };
        // Not counting the source: 99 of 100 peers would need hop ceil(99 / 2) = 50, not 49.
        assert!((measured("flood: t99") - 0.1 * 50.0).abs() > TIME_TOLERANCE);
        // The source sending both copies at once (no uplink queue): peer 98 at 49 x 0.18 s, not 8.9 s.
        assert!((measured("flood: t99 = peer") - 49.0 * 0.18).abs() > TIME_TOLERANCE);
        // Announce paying two latencies a hop (a payload pushed with the inv) would take 9.8 s, not 14.7 s.
        assert!((measured("announce: t99") - 2.0 * 4.9).abs() > TIME_TOLERANCE);
    }

    #[test]
    fn every_comparison_holds() {
        for row in ring().unwrap().into_iter().chain(uplink().unwrap()) {
            assert!(
                (row.measured - row.theory).abs() <= row.tolerance,
                "{}: {} != {}",
                row.what,
                row.measured,
                row.theory
            );
        }
    }
}
