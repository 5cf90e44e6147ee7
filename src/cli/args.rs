//! The command line's shape: every command, argument and description, as clap reads them (SPEC.md).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

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
        /// The scenario file (TOML).
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
        /// The scenario's seed: the same as --set seed=N.
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        /// Run only the K-th of N slices of the (point, replication) list.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// No progress bar.
        #[arg(short, long)]
        quiet: bool,
        /// Run even work that `check` estimates too large.
        #[arg(long)]
        force: bool,
        /// Put the overlay and each run's large arrays on transparent huge pages (Linux): a faster event loop
        /// from 10^6 peers on, a slower build where huge pages are slow to fault in. Results do not depend on it.
        #[arg(long)]
        huge_pages: bool,
    },
    /// Validate a scenario and print it fully resolved, with the size of the work.
    Check {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Override a scenario key by its dotted path, e.g. --set network.peers=5000 (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
    },
    /// Redraw every plot and report.html of a results folder from its CSV files.
    Plot {
        /// The results folder (it has a runs.csv).
        dir: PathBuf,
    },
    /// Build the scenario's topology (replication 0) and print its statistics, or export it.
    Topology {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// What to print.
        #[arg(long, value_enum, default_value_t = TopologyFormat::Stats)]
        format: TopologyFormat,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// The sweep point to build (from 0; see `check` for the points).
        #[arg(long, default_value_t = 0)]
        point: usize,
        /// Override a scenario key by its dotted path, e.g. --set network.peers=5000 (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
    },
    /// Teaching view: one query, hop by hop.
    Trace {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// The strategy to follow (default: the first).
        #[arg(long)]
        strategy: Option<String>,
        /// Which query, in issue order from 0 (default 0).
        #[arg(long)]
        query: Option<u64>,
        /// What to print.
        #[arg(long, value_enum, default_value_t = TraceFormat::Text)]
        format: TraceFormat,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// The sweep point to run (from 0; see `check` for the points).
        #[arg(long, default_value_t = 0)]
        point: usize,
        /// Override a scenario key by its dotted path, e.g. --set network.peers=5000 (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
    },
    /// Print a shell completion script, e.g. `gnutsim completions bash > ~/.local/share/bash-completion/completions/gnutsim`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Run the built-in validation suite: small scenarios measured against closed forms.
    Validate {
        /// Also write validate.csv, validate.png and validate.svg into this folder.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Worker threads (default: one per core). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Print every check and its built-in scenarios (each runs with `gnutsim run`), and run nothing.
        #[arg(long)]
        list: bool,
    },
    /// Merge the results folders of shards of one sweep.
    Merge {
        /// The shards' results folders.
        dirs: Vec<PathBuf>,
        /// The merged results folder.
        #[arg(short, long)]
        output: PathBuf,
        /// Accept shards that do not cover the whole run (otherwise refused, naming what is missing).
        #[arg(long)]
        partial: bool,
    },
}

/// `topology --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TopologyFormat {
    /// `key: value` lines of statistics.
    Stats,
    /// Graphviz.
    Dot,
    /// One `a b` line per link.
    Edgelist,
}

/// `trace --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TraceFormat {
    /// The hop-by-hop table and totals.
    Text,
    /// Graphviz: the overlay with the links that carried a first copy in red.
    Dot,
    /// One self-contained animated page (inline SVG and script): the query replayed in simulated time.
    Html,
}
