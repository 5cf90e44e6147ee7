//! Graphs and load: the giant component, power-law fits, Gini.

use super::{Check, Row};
use crate::dist::Dist;
use crate::dist::special::hurwitz_zeta;
use crate::error::ScenarioError;
use crate::metrics::stats::gini_sorted;
use crate::rng::{self, Stream};
use crate::scenario::{Scenario, TopologyKind};
use crate::topology::stats::powerlaw_fit;
use crate::world::World;

pub const CHECKS: &[Check] = &[
    Check {
        name: "giant-component",
        theory: "largest component share of G(n, m) with mean degree c = the root S of S = 1 - exp(-c S)",
        scenarios: &[(
            "giant-component.toml",
            include_str!("suite/giant-component.toml"),
        )],
        run: giant_component,
    },
    Check {
        name: "powerlaw-fit",
        theory: "the maximum-likelihood exponent of the degrees = the exponent asked (up to the cutoff's bias)",
        scenarios: &[("powerlaw-fit.toml", include_str!("suite/powerlaw-fit.toml"))],
        run: powerlaw_fit_check,
    },
    Check {
        name: "gini",
        theory: "Gini of i.i.d. draws = 1/2 (exponential), 1 / (2a - 1) (Pareto of shape a)",
        // Draws from the library's samplers, no overlay: nothing for a scenario to describe.
        scenarios: &[],
        run: gini,
    },
];

/// Standard errors of the tolerances.
const SIGMAS: f64 = 4.0;

/// The giant component's share S of a random graph with mean degree c > 1: the root in (0, 1] of
/// S = 1 - exp(-c S), by fixed-point iteration from 1 (a contraction there, of factor c (1 - S) < 1). 0 for c <= 1.
pub fn giant_share(c: f64) -> f64 {
    if c <= 1.0 {
        return 0.0;
    }
    let mut s = 1.0f64;
    for _ in 0..100_000 {
        let next = 1.0 - (-c * s).exp();
        if (next - s).abs() < 1e-15 {
            return next;
        }
        s = next;
    }
    s
}

/// One giant-component measurement: mean degree, theory, mean share over the replications and the tolerance.
#[derive(Clone, Copy, Debug)]
struct Giant {
    c: f64,
    theory: f64,
    measured: f64,
    tolerance: f64,
}

/// The largest component share over the scenario's replications. Its standard error is the larger of the
/// replications' own and the central limit theorem's for G(n, p), sqrt(S (1 - S) / n) / (1 - c (1 - S)) per
/// replication (Pittel 1990; G(n, m) fixes the edge count, which can only narrow it). The mean share is
/// S + O(1/n): 10/n is allowed for that.
fn giant_point(s: &Scenario) -> Result<Giant, ScenarioError> {
    let TopologyKind::Random { mean_degree: c } = s.topology.kind else {
        panic!("giant-component runs random overlays");
    };
    let shares = (0..s.replications)
        .map(|r| World::build(s, r).map(|w| w.largest_component_share()))
        .collect::<Result<Vec<f64>, _>>()?;
    let (measured, se) = super::mean_and_se(&shares);
    let theory = giant_share(c);
    let n = s.network.peers as f64;
    let clt = (theory * (1.0 - theory) / n).sqrt()
        / (1.0 - c * (1.0 - theory))
        / (shares.len() as f64).sqrt();
    Ok(Giant {
        c,
        theory,
        measured,
        tolerance: SIGMAS * se.max(clt) + 10.0 / n,
    })
}

fn giant_points() -> Result<Vec<Giant>, ScenarioError> {
    let (file, text) = CHECKS[0].scenarios[0];
    let plan = super::load_plan(file, text)?;
    plan.points
        .iter()
        .map(|p| giant_point(&p.scenario))
        .collect()
}

fn giant_component() -> Result<Vec<Row>, ScenarioError> {
    Ok(giant_points()?
        .into_iter()
        .map(|g| Row {
            check: "giant-component",
            what: format!("giant share at mean degree {}", g.c),
            measured: g.measured,
            theory: g.theory,
            tolerance: g.tolerance,
        })
        .collect())
}

/// The exponent the discrete fit tends to, with x_min fixed, on degrees drawn from P(k) ∝ k^-exponent on
/// [xmin, max]: the a whose untruncated law has the same E[ln k] (the likelihood equation), found by bisection on
/// that mean, which falls as a rises. Cutting the tail at `max` makes it steeper than `exponent`.
fn fit_limit(exponent: f64, xmin: u32, max: u32) -> f64 {
    let (mut w, mut wl) = (0.0, 0.0);
    for k in xmin..=max {
        let p = (k as f64).powf(-exponent);
        w += p;
        wl += p * (k as f64).ln();
    }
    let target = wl / w;
    // E[ln k] under ζ(a, xmin): -ζ'(a, xmin) / ζ(a, xmin), the derivative by central differences.
    let mean_ln = |a: f64| {
        let h = 1e-5;
        -(hurwitz_zeta(a + h, xmin as f64).ln() - hurwitz_zeta(a - h, xmin as f64).ln()) / (2.0 * h)
    };
    let (mut lo, mut hi) = (exponent - 0.5, exponent + 1.0);
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if mean_ln(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

/// The power-law fit of the overlay's degrees: (asked, fitted, x_min, tail, standard error, cutoff bias).
#[derive(Clone, Copy, Debug)]
struct Fit {
    asked: f64,
    fitted: f64,
    xmin: u32,
    tail: usize,
    se: f64,
    bias: f64,
}

/// The standard error is the maximum-likelihood one from the run, 1 / sqrt(n Var[ln k]) over the n degrees
/// of the tail (the Fisher information of the exponent is the variance of ln k); the bias is that of cutting the
/// law at max_degree ([`fit_limit`] at the chosen x_min).
fn measure_fit() -> Result<Fit, ScenarioError> {
    let (file, text) = CHECKS[1].scenarios[0];
    let s = super::load(file, text)?;
    let TopologyKind::PowerLaw { exponent, degrees } = s.topology.kind else {
        panic!("powerlaw-fit runs a power-law overlay");
    };
    let (_, max) = degrees.range();
    let world = World::build(&s, 0)?;
    let g = &world.graph;
    let deg: Vec<u32> = (0..g.len() as u32).map(|v| g.degree(v) as u32).collect();
    let fit = powerlaw_fit(&deg).expect("a power-law tail to fit");
    let logs: Vec<f64> = deg
        .iter()
        .filter(|&&k| k >= fit.xmin)
        .map(|&k| (k as f64).ln())
        .collect();
    let (_, se_mean) = super::mean_and_se(&logs);
    // se_mean^2 * n = Var[ln k].
    let var = se_mean * se_mean * logs.len() as f64;
    Ok(Fit {
        asked: exponent,
        fitted: fit.exponent,
        xmin: fit.xmin,
        tail: fit.tail,
        se: 1.0 / (logs.len() as f64 * var).sqrt(),
        bias: fit_limit(exponent, fit.xmin, max) - exponent,
    })
}

fn powerlaw_fit_check() -> Result<Vec<Row>, ScenarioError> {
    let f = measure_fit()?;
    Ok(vec![Row {
        check: "powerlaw-fit",
        what: format!("fitted exponent (x_min {}, tail {})", f.xmin, f.tail),
        measured: f.fitted,
        theory: f.asked,
        tolerance: SIGMAS * f.se + f.bias.abs(),
    }])
}

/// Replications and draws per replication of `gini`.
const GINI_REPS: u32 = 20;
const GINI_DRAWS: usize = 50_000;
const GINI_SEED: u64 = 21;

/// The laws of `gini` and their closed-form Gini coefficients.
fn gini_laws() -> [(Dist, f64); 2] {
    let a = 3.0;
    [
        (Dist::Exponential { mean: 1.0 }, 0.5),
        (
            Dist::Pareto {
                shape: a,
                scale: 1.0,
            },
            1.0 / (2.0 * a - 1.0),
        ),
    ]
}

/// Gini of `GINI_DRAWS` draws, in `GINI_REPS` independent replications: their mean and standard error.
fn gini_of(d: &Dist, law: u64) -> (f64, f64) {
    let sampler = d.sampler();
    let ginis: Vec<f64> = (0..GINI_REPS)
        .map(|r| {
            let mut rng = rng::stream(
                rng::replication_seed(GINI_SEED ^ (law << 32), r),
                Stream::Peers,
            );
            let mut xs: Vec<f64> = (0..GINI_DRAWS).map(|_| sampler.sample(&mut rng)).collect();
            xs.sort_unstable_by(f64::total_cmp);
            gini_sorted(&xs)
        })
        .collect();
    super::mean_and_se(&ginis)
}

/// The population formula's expectation is G (1 - 1/n) to first order: G / n is allowed for that bias.
fn gini() -> Result<Vec<Row>, ScenarioError> {
    Ok(gini_laws()
        .iter()
        .enumerate()
        .map(|(i, (d, g))| {
            let (measured, se) = gini_of(d, i as u64);
            let params: Vec<String> = d.params().iter().map(|(k, v)| format!("{k} {v}")).collect();
            Row {
                check: "gini",
                what: format!("Gini of {} draws ({})", d.name(), params.join(", ")),
                measured,
                theory: *g,
                tolerance: SIGMAS * se + g / GINI_DRAWS as f64,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn fails(r: &Row, wrong: f64) -> bool {
        (r.measured - wrong).abs() > r.tolerance
    }

    fn timed(name: &str, f: fn() -> Result<Vec<Row>, ScenarioError>) -> Vec<Row> {
        let t = Instant::now();
        let rows = f().unwrap();
        eprintln!("{name}: {:.2} s", t.elapsed().as_secs_f64());
        for r in &rows {
            eprintln!("  {r:?}");
            assert!(r.passed(), "{r:?}");
        }
        rows
    }

    #[test]
    fn giant_share_solves_its_equation() {
        for c in [1.5, 3.0] {
            let s = giant_share(c);
            assert!((s - (1.0 - (-c * s).exp())).abs() < 1e-12);
        }
        assert!((giant_share(1.5) - 0.582_812).abs() < 1e-5);
        assert!((giant_share(3.0) - 0.940_480).abs() < 1e-5);
        assert_eq!(giant_share(0.9), 0.0);
    }

    #[test]
    fn validate_giant_component() {
        let rows = timed("giant-component", giant_component);
        assert_eq!(rows.len(), 2);
        for (r, c) in rows.iter().zip([1.5, 3.0]) {
            // Wrong models: the share 1 - 1/c, and a mean degree counted once per link (c / 2).
            assert!(fails(r, 1.0 - 1.0 / c), "{r:?}");
            assert!(fails(r, giant_share(c / 2.0)), "{r:?}");
        }
    }

    #[test]
    fn validate_powerlaw_fit() {
        let t = Instant::now();
        let f = measure_fit().unwrap();
        eprintln!("powerlaw-fit: {:.2} s, {f:?}", t.elapsed().as_secs_f64());
        let rows = powerlaw_fit_check().unwrap();
        for r in &rows {
            eprintln!("  {r:?}");
            assert!(r.passed(), "{r:?}");
            // An exponent off by one either way (the CCDF's exponent, or the density's for the CCDF).
            assert!(
                fails(r, r.theory - 1.0) && fails(r, r.theory + 1.0),
                "{r:?}"
            );
            // Off by a tenth: the check resolves far finer than the test above asks.
            assert!(
                fails(r, r.theory - 0.1) && fails(r, r.theory + 0.1),
                "{r:?}"
            );
        }
        // The cutoff's bias is small and steepens.
        assert!(f.bias > 0.0 && f.bias < 0.01, "{f:?}");
        // With no cutoff to speak of, the fit's limit is the exponent itself.
        assert!((fit_limit(2.5, 2, 10_000_000) - 2.5).abs() < 1e-4);
    }

    #[test]
    fn validate_gini() {
        let rows = timed("gini", gini);
        assert_eq!(rows.len(), 2);
        // Gini of the wrong law: the uniform's 1/3 for the exponential; for the Pareto of shape 3, the
        // exponential's 1/2 and the off-by-one forms 1 / (2a + 1) and 1 / (2a - 2).
        assert!(fails(&rows[0], 1.0 / 3.0));
        for w in [0.5, 1.0 / 7.0, 0.25] {
            assert!(fails(&rows[1], w), "{w}");
        }
    }
}
