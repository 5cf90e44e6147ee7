//! Random walks: steps to a hit and success within a budget.

use rand::RngExt;
use rustc_hash::FxHashSet;

use super::{Check, Row, load, mean_and_se};
use crate::error::ScenarioError;
use crate::graph::{Graph, PeerId};
use crate::metrics::Outcome;
use crate::protocols::random_walk::RandomWalkSpec;
use crate::rng::{self, Stream};
use crate::strategies;
use crate::world::World;

const WALK_STEPS: (&str, &str) = ("walk-steps.toml", include_str!("suite/walk-steps.toml"));
const WALK_SUCCESS: (&str, &str) = ("walk-success.toml", include_str!("suite/walk-success.toml"));

pub const CHECKS: &[Check] = &[
    Check {
        name: "walk-steps",
        theory: "one walker's mean steps to the first copy = its expected hitting time of the copies, solved on \
                 the overlay (about N/r x (d-1)/(d-2) on random d-regular graphs)",
        scenarios: &[WALK_STEPS],
        run: walk_steps,
    },
    Check {
        name: "walk-success",
        theory: "k walkers of T steps succeed with probability E[1 - (1 - r/(N-1))^U], U the distinct peers \
                 they visit",
        scenarios: &[WALK_SUCCESS],
        run: walk_success,
    },
];

/// Expected steps for a simple random walk from each peer to reach any of `targets`: the solution of
/// L_BB h = deg_B on the other peers B (L the graph Laplacian), by conjugate gradients (L_BB is symmetric
/// positive definite on a connected graph). NaN for peers that cannot reach a target.
pub fn hitting_times(g: &Graph, targets: &[PeerId]) -> Vec<f64> {
    let n = g.len();
    let mut target = vec![false; n];
    for &t in targets {
        target[t as usize] = true;
    }
    let apply = |x: &[f64], out: &mut [f64]| {
        for v in 0..n {
            out[v] = if target[v] {
                0.0
            } else {
                let nb = g.neighbours(v as PeerId);
                let sum: f64 = nb
                    .iter()
                    .filter(|&&u| !target[u as usize])
                    .map(|&u| x[u as usize])
                    .sum();
                nb.len() as f64 * x[v] - sum
            };
        }
    };
    let b: Vec<f64> = (0..n)
        .map(|v| {
            if target[v] {
                0.0
            } else {
                g.degree(v as PeerId) as f64
            }
        })
        .collect();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let mut x = vec![0.0; n];
    let mut r = b.clone();
    let mut p = r.clone();
    let mut ap = vec![0.0; n];
    let mut rr = dot(&r, &r);
    let stop = 1e-24 * dot(&b, &b);
    for _ in 0..100 * n {
        if rr <= stop {
            break;
        }
        apply(&p, &mut ap);
        let alpha = rr / dot(&p, &ap);
        for v in 0..n {
            x[v] += alpha * p[v];
            r[v] -= alpha * ap[v];
        }
        let next = dot(&r, &r);
        let beta = next / rr;
        rr = next;
        for v in 0..n {
            p[v] = r[v] + beta * p[v];
        }
    }
    x
}

fn walk_steps() -> Result<Vec<Row>, ScenarioError> {
    let (file, text) = WALK_STEPS;
    let s = load(file, text)?;
    let world = World::build(&s, 0)?;
    let st = &s.strategies[0];
    let out = strategies::simulate(&s, st, &world);
    let objects = world.content.objects();
    let times: Vec<Vec<f64>> = (0..objects)
        .map(|o| hitting_times(&world.graph, world.content.holders(o)))
        .collect();
    let found: Vec<_> = out
        .queries
        .iter()
        .filter(|q| q.outcome == Outcome::Success)
        .collect();
    let steps: Vec<f64> = found.iter().map(|q| q.hops.unwrap_or(0) as f64).collect();
    let expected: Vec<f64> = found
        .iter()
        .map(|q| times[q.object as usize][q.source as usize])
        .collect();
    let (measured, se) = mean_and_se(&steps);
    let (theory, _) = mean_and_se(&expected);
    let ttl = st.spec::<RandomWalkSpec>().map_or(0, |w| w.ttl);
    // Queries the TTL cut short would bias the mean down; at a million steps they are a vanishing share, and
    // counted here so that a failure says so.
    let cut = out.queries.len() - found.len();
    Ok(vec![Row {
        check: "walk-steps",
        what: if cut == 0 {
            "mean steps to the first copy".to_string()
        } else {
            format!("mean steps to the first copy ({cut} queries cut at {ttl} steps)")
        },
        measured,
        theory,
        // The walks are independent given their sources: four standard errors of the mean.
        tolerance: 4.0 * se,
    }])
}

/// Distinct peers other than `source` that `walkers` simple random walks of `steps` steps from `source` visit
/// (a walk written apart from the protocol, to predict its success).
pub fn distinct_visited(
    g: &Graph,
    source: PeerId,
    walkers: u32,
    steps: u32,
    rng: &mut crate::rng::SimRng,
) -> usize {
    let mut seen = FxHashSet::default();
    for _ in 0..walkers {
        let mut at = source;
        for _ in 0..steps {
            let nb = g.neighbours(at);
            at = nb[rng.random_range(0..nb.len())];
            if at != source {
                seen.insert(at);
            }
        }
    }
    seen.len()
}

fn walk_success() -> Result<Vec<Row>, ScenarioError> {
    let (file, text) = WALK_SUCCESS;
    let s = load(file, text)?;
    let world = World::build(&s, 0)?;
    let st = &s.strategies[0];
    let spec = st
        .spec::<RandomWalkSpec>()
        .cloned()
        .expect("walk-success runs random walkers");
    let out = strategies::simulate(&s, st, &world);
    let n = world.graph.len() as f64;
    let copies = s.content.replicas_mean;
    let r = copies / (n - 1.0);
    // The expectation over U, from walks made here (a walk of its own, on its own stream) from the run's
    // sources, four per query.
    let mut rng = rng::stream(world.seed ^ 0x5741_4c4b, Stream::Protocol);
    let predicted: Vec<f64> = out
        .queries
        .iter()
        .flat_map(|q| std::iter::repeat_n(q.source, 4))
        .map(|source| {
            let u = distinct_visited(&world.graph, source, spec.walkers, spec.ttl, &mut rng);
            1.0 - (1.0 - r).powi(u as i32)
        })
        .collect();
    let (theory, theory_se) = mean_and_se(&predicted);
    let outcomes: Vec<f64> = out
        .queries
        .iter()
        .map(|q| f64::from(u8::from(q.outcome == Outcome::Success)))
        .collect();
    let (measured, measured_se) = mean_and_se(&outcomes);
    Ok(vec![Row {
        check: "walk-success",
        what: format!("success, {} walkers x {} steps", spec.walkers, spec.ttl),
        measured,
        theory,
        tolerance: 4.0 * (measured_se.powi(2) + theory_se.powi(2)).sqrt(),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::fails_with as wrong;

    #[test]
    fn the_walks_reproduce_their_theory_and_would_catch_wrong_walkers() {
        let steps = &walk_steps().unwrap()[0];
        assert!(steps.passed(), "{steps:?}");
        // A walker that never steps back to the peer it came from hits 10 copies among 10,000 peers in about
        // N/r = 1,000 steps, not 1,500; one that counted its start as a step would be off by one only, which
        // this check cannot see.
        assert!(wrong(steps, 10_000.0 / 10.0), "{steps:?}");
        // The asymptotic form for random 4-regular graphs agrees with the exact hitting time.
        assert!(!wrong(steps, 10_000.0 / 10.0 * 3.0 / 2.0), "{steps:?}");
        let success = &walk_success().unwrap()[0];
        assert!(success.passed(), "{success:?}");
        // Half the walkers (or half the steps) would succeed far less often: 1 - (1 - r)^(U/2) with U about 140.
        let r: f64 = 100.0 / 9_999.0;
        let u = (1.0 - success.theory).ln() / (1.0 - r).ln();
        assert!(wrong(success, 1.0 - (1.0 - r).powf(u / 2.0)), "{success:?}");
    }

    #[test]
    fn hitting_times_match_a_hand_solved_path() {
        // Path 0 - 1 - 2 with the target at 2: h(1) = 1 + (h(0) + h(2)) / 2, h(0) = 1 + h(1): h(1) = 3, h(0) = 4.
        let g = Graph::from_edges(3, &[(0, 1), (1, 2)]);
        let h = hitting_times(&g, &[2]);
        assert!(
            (h[0] - 4.0).abs() < 1e-9 && (h[1] - 3.0).abs() < 1e-9 && h[2] == 0.0,
            "{h:?}"
        );
    }
}
