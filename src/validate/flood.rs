//! Flooding: the full-flood identities and TTL coverage.

use super::{Check, Row, load, mean_and_se};
use crate::error::ScenarioError;
use crate::protocols::flooding::FloodingSpec;
use crate::strategies;
use crate::topology::stats;
use crate::world::World;

const FLOOD_EXACT: (&str, &str) = ("flood-exact.toml", include_str!("suite/flood-exact.toml"));
const TTL_COVERAGE: (&str, &str) = ("ttl-coverage.toml", include_str!("suite/ttl-coverage.toml"));

pub const CHECKS: &[Check] = &[
    Check {
        name: "flood-exact",
        theory: "a flood that no TTL stops sends 2E - (N - 1) queries, 2E - 2(N - 1) of them duplicates, and \
                 reaches N - 1 peers (connected overlay)",
        scenarios: &[FLOOD_EXACT],
        run: flood_exact,
    },
    Check {
        name: "ttl-coverage",
        theory: "a flood of TTL t on a d-regular overlay without short cycles reaches d + d(d-1) + ... + \
                 d(d-1)^(t-1) peers",
        scenarios: &[TTL_COVERAGE],
        run: ttl_coverage,
    },
];

fn flood_exact() -> Result<Vec<Row>, ScenarioError> {
    let (file, text) = FLOOD_EXACT;
    let s = load(file, text)?;
    let world = World::build(&s, 0)?;
    let n = world.graph.len() as f64;
    let e = world.graph.edge_count() as f64;
    let connected = stats::component_sizes(&world.graph).len() == 1;
    let m = strategies::simulate(&s, &s.strategies[0], &world).metrics;
    let q = m.queries as f64;
    // Per-query means of integer totals: exact when every query matches the identity. A disconnected overlay
    // (rare for a random 4-regular graph) would break them, and is reported as such.
    let note = if connected {
        ""
    } else {
        " (overlay NOT connected)"
    };
    Ok(vec![
        Row {
            check: "flood-exact",
            what: format!("queries per flood = 2E - (N - 1){note}"),
            measured: m.query_messages as f64 / q,
            theory: 2.0 * e - (n - 1.0),
            tolerance: 0.0,
        },
        Row {
            check: "flood-exact",
            what: format!("duplicates per flood = 2E - 2(N - 1){note}"),
            measured: m.duplicate_messages as f64 / q,
            theory: 2.0 * e - 2.0 * (n - 1.0),
            tolerance: 0.0,
        },
        Row {
            check: "flood-exact",
            what: format!("peers reached = N - 1{note}"),
            measured: m.peers_reached_per_query.unwrap_or(f64::NAN),
            theory: n - 1.0,
            tolerance: 0.0,
        },
    ])
}

/// Peers a flood of TTL `ttl` reaches on a d-regular tree: d + d(d-1) + ... + d(d-1)^(ttl-1).
fn tree_reach(d: f64, ttl: u32) -> f64 {
    (0..ttl).map(|i| d * (d - 1.0).powi(i as i32)).sum()
}

/// How many peers cycles take from a flood on average, at most: an arrival at depth i finds an already-reached
/// peer with probability at most (peers reached so far) / (N - 1), and then loses at most its subtree of depth
/// ttl - i.
fn cycle_deficit_bound(d: f64, ttl: u32, n: f64) -> f64 {
    (1..=ttl)
        .map(|i| {
            let arrivals = d * (d - 1.0).powi(i as i32 - 1);
            let seen = 1.0 + tree_reach(d, i);
            let subtree: f64 = (0..=ttl - i).map(|j| (d - 1.0).powi(j as i32)).sum();
            arrivals * seen / (n - 1.0) * subtree
        })
        .sum()
}

fn ttl_coverage() -> Result<Vec<Row>, ScenarioError> {
    let (file, text) = TTL_COVERAGE;
    let s = load(file, text)?;
    let world = World::build(&s, 0)?;
    let n = world.graph.len() as f64;
    let d = world.graph.degree(0) as f64;
    let mut rows = Vec::new();
    for st in &s.strategies {
        let ttl = st.spec::<FloodingSpec>().map_or(0, |f| f.ttl);
        let out = strategies::simulate(&s, st, &world);
        let reached: Vec<f64> = out.queries.iter().map(|r| r.reached as f64).collect();
        let (mean, se) = mean_and_se(&reached);
        let theory = tree_reach(d, ttl);
        // One-sided bias (cycles only remove peers) bounded in expectation, plus four standard errors of the
        // mean over the run's queries.
        rows.push(Row {
            check: "ttl-coverage",
            what: format!("peers reached at TTL {ttl}, d = {d}"),
            measured: mean,
            theory,
            tolerance: cycle_deficit_bound(d, ttl, n) + 4.0 * se,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::fails_with as wrong;

    #[test]
    fn floods_reproduce_their_theory_and_would_catch_wrong_counts() {
        let exact = flood_exact().unwrap();
        assert!(exact.iter().all(Row::passed), "{exact:?}");
        // Duplicates not counted as messages, or the source counted among the peers reached, would be off.
        assert!(wrong(&exact[0], exact[0].theory - exact[1].theory));
        assert!(wrong(&exact[2], exact[2].theory + 1.0));
        let coverage = ttl_coverage().unwrap();
        assert_eq!(coverage.len(), 4);
        for (i, row) in coverage.iter().enumerate() {
            assert!(row.passed(), "{row:?}");
            let ttl = i as u32 + 1;
            // A TTL off by one either way, or the source counted as reached.
            assert!(wrong(row, tree_reach(4.0, ttl + 1)), "{row:?}");
            assert!(wrong(row, tree_reach(4.0, ttl - 1)), "{row:?}");
            assert!(wrong(row, tree_reach(4.0, ttl) + 1.0), "{row:?}");
        }
    }

    #[test]
    fn the_cycle_bound_is_small_and_tree_reach_counts_by_hand() {
        assert_eq!(tree_reach(4.0, 3), 4.0 + 12.0 + 36.0);
        // At 200,000 peers the bound stays under a thousandth of the reach at TTL 4.
        assert!(cycle_deficit_bound(4.0, 4, 200_000.0) < 0.16);
        assert_eq!(
            cycle_deficit_bound(4.0, 1, 200_000.0),
            4.0 * 5.0 / 199_999.0
        );
    }
}
