//! One strategy run's rows: what the engine produced, and where in the plan it ran.

use crate::metrics::{BucketRow, QueryRecord, RunMetrics};

/// The `kind` of a broadcast strategy in scenario files and runs.csv: the output draws broadcasts' own figures
/// for the strategies of this kind.
pub const BROADCAST_KIND: &str = "broadcast";

/// What one strategy run produced.
pub struct RunOutput {
    pub metrics: RunMetrics,
    pub timeseries: Vec<BucketRow>,
    pub lorenz: Vec<(f64, f64)>,
    pub queries: Vec<QueryRecord>,
    /// Broadcasts: the mean coverage curve, (seconds since issue, coverage); empty for searches.
    pub coverage: Vec<(f64, f64)>,
    /// Per object: share of queries it draws (popularity), and its copies at the start and at the end of the run
    /// (replication on success adds copies).
    pub popularity: Vec<f64>,
    pub copies_start: Vec<u32>,
    pub copies_end: Vec<u32>,
    /// Seconds spent in the event loop alone.
    pub wall_s: f64,
}

/// One strategy run's result: a row of runs.csv and its timeseries, Lorenz curve and queries.
pub struct RunResult {
    pub point: usize,
    pub values: Vec<String>,
    pub replication: u32,
    pub seed: u64,
    pub strategy: String,
    pub kind: &'static str,
    pub peers: u32,
    /// Share of peers in the largest component of the replication's generated overlay.
    pub largest_component_share: f64,
    pub output: RunOutput,
    pub peak_rss_mb: f64,
    /// Point 0, replication 0 only: the animated page of one of its queries for report.html, or why it is left
    /// out (too many messages to replay readably). Traced on the world the run built, so no second build.
    pub trace_page: Option<Result<String, String>>,
}
