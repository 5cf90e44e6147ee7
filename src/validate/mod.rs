//! `gnutsim validate`: the theory built in. Each check runs a small built-in scenario (a .toml file under
//! `validate/suite/`, read with `include_str!`, which `validate --list` prints and `gnutsim run` runs) and
//! compares what it measures with a closed form, within a tolerance set by the run's sampling error (at least
//! four standard errors) or exactly where the result is exact.

mod churn;
mod flood;
mod graphs;
mod queues;
mod walks;

use std::path::Path;

use rayon::prelude::*;

use crate::error::ScenarioError;
use crate::scenario::{self, Scenario};
use crate::strategies;

/// One comparison of a check: a measured value against its closed form.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The check's name, e.g. `flood-exact`.
    pub check: &'static str,
    /// What was compared, in a few words (e.g. `query messages per query, 2E - (N - 1)`).
    pub what: String,
    pub measured: f64,
    pub theory: f64,
    /// Largest allowed |measured - theory| (0 for exact results).
    pub tolerance: f64,
}

impl Row {
    pub fn passed(&self) -> bool {
        (self.measured - self.theory).abs() <= self.tolerance
    }
}

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

/// A built-in scenario, validated like a user's (its path names it in errors: `validate/<file>`).
pub fn load(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    scenario::load_str(
        &Path::new("validate").join(file),
        text,
        &[],
        strategies::KINDS,
    )
}
