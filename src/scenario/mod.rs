//! The validated scenario: what `run` simulates. Built from the file by [`load`] (parse, apply `--set`,
//! validate); nothing outside `validate.rs` rejects input.

pub mod overrides;
pub mod resolved;
pub mod tree;
pub mod validate;

use std::path::{Path, PathBuf};

use crate::dist::Dist;
use crate::error::{Origin, ScenarioError};

/// A scenario ready to run: every default filled in, every value checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The scenario file (relative paths inside it are relative to its folder).
    pub file: PathBuf,
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub replications: u32,
    /// Seconds of workload: queries are issued during [0, duration).
    pub duration: f64,
    /// Seconds at the start that metrics ignore.
    pub warmup: f64,
    pub network: Network,
    pub topology: Topology,
    pub content: Content,
    pub workload: Workload,
    pub churn: Churn,
    pub strategies: Vec<Strategy>,
    pub output: Output,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    pub peers: u32,
    /// One-way delay of every message, seconds.
    pub latency: Dist,
    /// Messages per second a peer processes (drawn once per peer); `None` = unlimited.
    pub capacity: Option<Dist>,
    /// Messages that may wait at a peer before it drops new ones; `None` = unbounded.
    pub queue_limit: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Topology {
    pub kind: TopologyKind,
    /// Name of the topology in sweep columns (defaults to the kind).
    pub label: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TopologyKind {
    /// Erdős–Rényi G(n, m) with m = round(n * mean_degree / 2).
    Random { mean_degree: f64 },
    /// A uniformly random simple `degree`-regular graph.
    Regular { degree: u32 },
}

impl TopologyKind {
    pub fn name(&self) -> &'static str {
        match self {
            TopologyKind::Random { .. } => "random",
            TopologyKind::Regular { .. } => "regular",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Content {
    pub objects: u32,
    pub replication: Placement,
    pub replicas_mean: f64,
    pub popularity: Popularity,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Every object gets `replicas_mean` copies (floor, plus one more with the fractional part's probability).
    Uniform,
}

impl Placement {
    pub fn name(&self) -> &'static str {
        match self {
            Placement::Uniform => "uniform",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Popularity {
    Uniform,
    /// P(object of rank i) proportional to i^-s, ranks from 1.
    Zipf(f64),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    /// Queries per online peer per second (Poisson).
    pub query_rate: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Churn {
    pub enabled: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Strategy {
    pub name: String,
    pub kind: StrategyKind,
    /// Seconds after which a first hit no longer counts as success; `None` = no limit.
    pub timeout: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StrategyKind {
    Flooding { ttl: u32 },
}

impl StrategyKind {
    pub fn name(&self) -> &'static str {
        match self {
            StrategyKind::Flooding { .. } => "flooding",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// Timeseries bucket width, seconds.
    pub bucket: f64,
    /// Write queries.csv.
    pub queries: bool,
}

impl Scenario {
    /// Folder that relative paths inside the scenario are relative to.
    pub fn base_dir(&self) -> &Path {
        self.file.parent().unwrap_or(Path::new("."))
    }

    /// Expected number of queries of one run (every peer online).
    pub fn expected_queries(&self) -> f64 {
        self.network.peers as f64 * self.workload.query_rate * self.duration
    }
}

/// Reads, overrides and validates a scenario file.
pub fn load(path: &Path, sets: &[String]) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read(path).map_err(|e| {
        ScenarioError::new(
            path,
            Origin::Default,
            "",
            format!("cannot read the scenario file: {e}"),
        )
    })?;
    let text = String::from_utf8(text).map_err(|_| {
        ScenarioError::new(
            path,
            Origin::Default,
            "",
            "this is a binary file, not a TOML scenario (it is not UTF-8 text)",
        )
    })?;
    load_str(path, &text, sets)
}

/// As [`load`], from text already read (`path` names it in errors and anchors relative paths).
pub fn load_str(path: &Path, text: &str, sets: &[String]) -> Result<Scenario, ScenarioError> {
    let mut doc = tree::parse_document(path, text)?;
    for set in sets {
        overrides::apply_set(path, &mut doc, set)?;
    }
    validate::validate(path, &doc)
}
