//! `gnutsim validate`: the theory built in. Each check runs a small built-in scenario (a .toml file under
//! `validate/suite/`, read with `include_str!`, which `validate --list` prints and `gnutsim run` runs) and
//! compares what it measures with a closed form, within a tolerance set by the run's sampling error (at least
//! four standard errors) or exactly where the result is exact.

mod broadcast;
mod churn;
mod flood;
mod graphs;
mod queues;
mod replication;
pub mod walks;

use std::path::Path;

use rayon::prelude::*;

use crate::error::ScenarioError;
use crate::metrics::stats;
use crate::scenario::sweep::Plan;
use crate::scenario::{self, Scenario};
use crate::strategies;

/// One comparison of a check: a measured value against its closed form.
pub use crate::results::validation::ValidationRow as Row;

/// A check: its name, the closed form it compares with, its built-in scenarios and the function that runs it.
#[derive(Clone, Copy)]
pub struct Check {
    pub name: &'static str,
    /// The closed form in words, for `--list`.
    pub theory: &'static str,
    /// Its built-in scenarios: (file name, TOML text read with `include_str!`).
    pub scenarios: &'static [(&'static str, &'static str)],
    pub run: fn() -> Result<Vec<Row>, ScenarioError>,
}

/// Every check, in the order they print.
pub fn checks() -> Vec<Check> {
    [
        flood::CHECKS,
        walks::CHECKS,
        queues::CHECKS,
        churn::CHECKS,
        graphs::CHECKS,
        replication::CHECKS,
        broadcast::CHECKS,
    ]
    .concat()
}

/// Runs every check on up to `threads` threads (default: one per core). Rows keep the checks' order.
pub fn run_all(threads: Option<usize>) -> anyhow::Result<Vec<Row>> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        builder = builder.num_threads(t);
    }
    let pool = builder.build()?;
    let checks = checks();
    let rows: Result<Vec<Vec<Row>>, ScenarioError> =
        pool.install(|| checks.par_iter().map(|c| (c.run)()).collect());
    Ok(rows?.into_iter().flatten().collect())
}

/// A built-in scenario with a `[sweep]`, expanded into its points and validated like a user's.
pub fn load_plan(file: &str, text: &str) -> Result<Plan, ScenarioError> {
    scenario::load_plan_str(
        &Path::new("validate").join(file),
        text,
        &[],
        strategies::KINDS,
    )
}

/// A built-in scenario, validated like a user's (its path names it in errors: `validate/<file>`).
pub fn load(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    scenario::load_str(
        &Path::new("validate").join(file),
        text,
        &[],
        strategies::KINDS,
    )
}

/// Every check with its closed form and its built-in scenarios, each as a file `gnutsim run` takes.
pub fn listing() -> String {
    let mut o = String::new();
    for c in checks() {
        o.push_str(&format!("# {}: {}\n", c.name, c.theory));
        for (file, text) in c.scenarios {
            o.push_str(&format!(
                "# ---- validate/{file} ----\n{}\n",
                text.trim_end()
            ));
        }
        o.push('\n');
    }
    o
}

/// The mean of `xs` and its standard error (sample standard deviation / sqrt(n)); NaN when undefined.
pub fn mean_and_se(xs: &[f64]) -> (f64, f64) {
    (
        stats::mean(xs).unwrap_or(f64::NAN),
        stats::standard_error(xs).unwrap_or(f64::NAN),
    )
}

/// Whether `row`'s measurement would fail against `theory` (a wrong model's value): what each check's tests
/// assert, so that no check is one that cannot fail.
#[cfg(test)]
pub fn fails_with(row: &Row, theory: f64) -> bool {
    !Row {
        theory,
        ..row.clone()
    }
    .passed()
}
