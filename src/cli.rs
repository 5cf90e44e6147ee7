//! The command line (SPEC.md): clap definitions and what each command does, as a pipeline over the library.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::error::{Error, Result};
use crate::output;
use crate::runner::{self, RunOptions};
use crate::scenario::{self, sweep::Plan};

#[derive(Parser, Debug)]
#[command(
    name = "gnutsim",
    version,
    about = "Simulates search in Gnutella-style unstructured peer-to-peer overlays, against a client-server baseline"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run every sweep point x replication x strategy and write the results folder.
    Run {
        scenario: PathBuf,
        /// Results folder (default results/<scenario file stem>/).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Worker threads (default: one per core). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Override a scenario key by its dotted path, e.g. --set network.peers=5000 (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Run only the K-th of N slices of the (point, replication) list.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// No progress bar.
        #[arg(short, long)]
        quiet: bool,
        /// Run even work that `check` estimates too large.
        #[arg(long)]
        force: bool,
    },
    /// Validate a scenario and print it fully resolved, with the size of the work.
    Check {
        scenario: PathBuf,
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
    },
    /// Redraw every plot of a results folder from its CSV files.
    Plot { dir: PathBuf },
    /// Build the scenario's topology (replication 0) and print its statistics, or export it.
    Topology {
        scenario: PathBuf,
        #[arg(long, default_value = "stats")]
        format: String,
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
    },
    /// Teaching view: one query, hop by hop.
    Trace {
        scenario: PathBuf,
        #[arg(long)]
        strategy: Option<String>,
        #[arg(long)]
        query: Option<u64>,
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
    },
    /// Merge the results folders of shards of one sweep.
    Merge {
        dirs: Vec<PathBuf>,
        #[arg(short, long)]
        output: PathBuf,
    },
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run {
            scenario,
            output,
            threads,
            sets,
            shard,
            quiet,
            force: _,
        } => {
            if threads == Some(0) {
                return Err(Error::Usage("--threads must be at least 1".into()));
            }
            let shard = shard.as_deref().map(parse_shard).transpose()?;
            let plan = scenario::load_plan(&scenario, &sets)?;
            let dir = output.unwrap_or_else(|| output::default_dir(&scenario));
            let opts = RunOptions {
                threads,
                quiet,
                shard,
            };
            let results = runner::run_plan(&plan, &opts)?;
            let files = output::render(&plan, &results);
            output::write_folder(&dir, &files)?;
            if !quiet {
                eprintln!(
                    "gnutsim: {} runs written to {}",
                    results.len(),
                    dir.display()
                );
            }
            Ok(())
        }
        Command::Check { scenario, sets } => {
            let plan = scenario::load_plan(&scenario, &sets)?;
            print!("{}", output::resolved_plan(&plan));
            println!("\n{}", work_summary(&plan));
            Ok(())
        }
        Command::Plot { dir } => {
            if !dir.join("runs.csv").is_file() {
                return Err(Error::Usage(format!(
                    "{} is not a results folder (it has no runs.csv)",
                    dir.display()
                )));
            }
            output::plots::draw_all(&dir)?;
            output::report::write_report(&dir)?;
            Ok(())
        }
        Command::Merge { dirs, output } => {
            for d in &dirs {
                if !d.is_dir() {
                    return Err(Error::Usage(format!("{} is not a folder", d.display())));
                }
            }
            let files = output::merge::merge(&dirs)?;
            output::write_folder(&output, &files)?;
            Ok(())
        }
        Command::Topology { .. } => Err(not_yet("gnutsim topology")),
        Command::Trace { .. } => Err(not_yet("gnutsim trace")),
    }
}

/// `K/N` with 1 <= K <= N, as (K - 1, N).
fn parse_shard(text: &str) -> Result<(usize, usize)> {
    let bad = || {
        Error::Usage(format!(
            "--shard {text}: expected K/N with 1 <= K <= N, e.g. --shard 2/4"
        ))
    };
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let k: usize = k.trim().parse().map_err(|_| bad())?;
    let n: usize = n.trim().parse().map_err(|_| bad())?;
    if k == 0 || k > n {
        return Err(bad());
    }
    Ok((k - 1, n))
}

fn not_yet(what: &str) -> Error {
    Error::Other(anyhow::anyhow!(
        "{what} is not supported yet by this version of gnutsim"
    ))
}

/// The size of the work, as `check` prints it (TOML comments, so the output stays a valid scenario).
fn work_summary(plan: &Plan) -> String {
    let s = &plan.base;
    let points = plan.points.len();
    let queries: f64 = plan
        .points
        .iter()
        .map(|p| {
            p.scenario.expected_queries()
                * p.scenario.replications as f64
                * p.scenario.strategies.len() as f64
        })
        .sum();
    format!(
        "# work: {points} point{} x {} replications x {} strategies = {} runs\n\
         # peers: {}\n\
         # expected queries per run: {:.0} (all runs: {:.0})",
        if points == 1 { "" } else { "s" },
        s.replications,
        s.strategies.len(),
        plan.runs(),
        s.network.peers,
        s.expected_queries(),
        queries,
    )
}
