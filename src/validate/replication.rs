//! Replication: square-root against uniform placement (Cohen and Shenker 2002).

use super::{Check, Row, mean_and_se};
use crate::error::ScenarioError;
use crate::metrics::Outcome;
use crate::strategies;
use crate::world::World;

const SQUARE_ROOT: (&str, &str) = ("square-root.toml", include_str!("suite/square-root.toml"));

pub const CHECKS: &[Check] = &[Check {
    name: "square-root",
    theory: "expected search size (square-root) / (uniform) = sum(q_i / r_i) over both placements, \
             (sum sqrt(q_i))^2 / m for ideal copies (Cohen and Shenker 2002)",
    scenarios: &[SQUARE_ROOT],
    run: square_root,
}];

/// One placement's walk: mean steps to a copy with its standard error, and Cohen and Shenker's search size
/// sum(q_i / r_i) on the copies placed (q_i the share of queries each object draws).
struct Placement {
    steps: f64,
    se: f64,
    search_size: f64,
    cut: usize,
}

fn placement(s: &crate::scenario::Scenario) -> Result<Placement, ScenarioError> {
    let world = World::build(s, 0)?;
    let out = strategies::simulate(s, &s.strategies[0], &world);
    let found: Vec<f64> = out
        .queries
        .iter()
        .filter(|q| q.outcome == Outcome::Success)
        .map(|q| q.hops.unwrap_or(0) as f64)
        .collect();
    let (steps, se) = mean_and_se(&found);
    let objects = world.content.objects();
    let total: f64 = (0..objects).map(|o| world.content.weight(o)).sum();
    let search_size = (0..objects)
        .map(|o| world.content.weight(o) / total / world.content.copies(o) as f64)
        .sum();
    Ok(Placement {
        steps,
        se,
        search_size,
        cut: out.queries.len() - found.len(),
    })
}

fn square_root() -> Result<Vec<Row>, ScenarioError> {
    let (file, text) = SQUARE_ROOT;
    let plan = super::load_plan(file, text)?;
    let uniform = placement(&plan.points[0].scenario)?;
    let root = placement(&plan.points[1].scenario)?;
    let measured = root.steps / uniform.steps;
    // The ratio's standard error by the delta method (the two runs are independent).
    let se =
        measured * ((root.se / root.steps).powi(2) + (uniform.se / uniform.steps).powi(2)).sqrt();
    let cut = uniform.cut + root.cut;
    Ok(vec![Row {
        check: "square-root",
        what: if cut == 0 {
            "steps, square-root / uniform, Zipf(1)".to_string()
        } else {
            format!("walk steps, square-root / uniform ({cut} queries cut short)")
        },
        measured,
        theory: root.search_size / uniform.search_size,
        tolerance: 4.0 * se,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_root_beats_uniform_as_predicted_and_a_wrong_placement_fails() {
        let row = &square_root().unwrap()[0];
        assert!(row.passed(), "{row:?}");
        // Proportional copies give the same search size as uniform ones (ratio 1), and the ideal square-root
        // ratio for Zipf(1) over 20 objects is about 0.80.
        let q: Vec<f64> = (1..=20).map(|i| 1.0 / i as f64).collect();
        let sum: f64 = q.iter().sum();
        let ideal = q.iter().map(|x| (x / sum).sqrt()).sum::<f64>().powi(2) / 20.0;
        assert!((0.75..0.85).contains(&ideal), "{ideal}");
        assert!(
            !Row {
                theory: 1.0,
                ..row.clone()
            }
            .passed(),
            "{row:?}"
        );
        assert!(
            (row.theory - ideal).abs() < 0.05,
            "{} against {ideal}",
            row.theory
        );
    }
}
