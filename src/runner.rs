//! Runs a scenario: every point x replication x strategy, in parallel with rayon, results in run order.
//!
//! Each (point, replication) job builds its world once (inside its worker) and runs every strategy on it; rayon's
//! indexed collect keeps results in job order, so output does not depend on the number of threads.

use std::io::IsTerminal;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::error::ScenarioError;
pub use crate::results::run::RunResult;
pub use crate::scenario::sweep::{Plan, Point};
use crate::strategies;
use crate::world::World;

pub struct RunOptions {
    /// Worker threads; `None` = one per core.
    pub threads: Option<usize>,
    /// No progress bar.
    pub quiet: bool,
    /// Run only shard k of n (k from 0): the (point, replication) jobs whose index is k modulo n.
    pub shard: Option<(usize, usize)>,
}

/// Runs every job of the plan and returns the results ordered by (point, replication, strategy).
pub fn run_plan(plan: &Plan, opts: &RunOptions) -> crate::error::Result<Vec<RunResult>> {
    let jobs: Vec<(&Point, u32)> = plan
        .points
        .iter()
        .flat_map(|p| (0..p.scenario.replications).map(move |r| (p, r)))
        .enumerate()
        .filter(|(i, _)| opts.shard.is_none_or(|(k, n)| i % n == k))
        .map(|(_, job)| job)
        .collect();
    let runs: usize = jobs.iter().map(|(p, _)| p.scenario.strategies.len()).sum();
    let bar = progress_bar(runs as u64, opts.quiet);
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = opts.threads {
        builder = builder.num_threads(t);
    }
    let pool = builder.build().context("cannot start the worker threads")?;
    let nested: Result<Vec<Vec<RunResult>>, ScenarioError> = pool.install(|| {
        jobs.par_iter()
            .map(|&(point, rep)| run_job(point, rep, &bar))
            .collect()
    });
    bar.finish_and_clear();
    Ok(nested?.into_iter().flatten().collect())
}

fn run_job(
    point: &Point,
    replication: u32,
    bar: &ProgressBar,
) -> Result<Vec<RunResult>, ScenarioError> {
    let s = &point.scenario;
    let world = World::build(s, replication)?;
    // The overlay's largest component is measured by another worker while the strategies run (a search of the
    // whole graph, a second or more at 10^7 peers), and written into the results when both are done.
    let (share, mut results) = rayon::join(
        || world.largest_component_share(),
        || run_strategies(point, replication, &world, bar),
    );
    for r in &mut results {
        r.largest_component_share = share;
    }
    Ok(results)
}

/// Every strategy of a job on its world; `largest_component_share` is left for the caller to fill in.
fn run_strategies(
    point: &Point,
    replication: u32,
    world: &World,
    bar: &ProgressBar,
) -> Vec<RunResult> {
    let s = &point.scenario;
    s.strategies
        .par_iter()
        .map(|st| {
            let output = strategies::simulate(s, st, world);
            let trace_page = (point.index == 0 && replication == 0).then(|| {
                let at = if point.values.is_empty() {
                    String::new()
                } else {
                    ", point 0".to_string()
                };
                crate::trace_page::for_report(
                    s,
                    st,
                    world,
                    format!(
                        "{}{at}, replication 0, strategy {} ({})",
                        s.name,
                        st.name,
                        st.kind()
                    ),
                )
            });
            bar.inc(1);
            RunResult {
                point: point.index,
                values: point.values.clone(),
                replication,
                seed: world.seed,
                strategy: st.name.clone(),
                kind: st.kind(),
                peers: s.network.peers,
                largest_component_share: f64::NAN,
                output,
                peak_rss_mb: peak_rss_mb(),
                trace_page,
            }
        })
        .collect()
}

fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} runs (eta {eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Peak resident memory of the process so far, in MB (VmHWM of /proc/self/status; 0 where unavailable).
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
