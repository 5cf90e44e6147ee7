//! Trace-driven churn: a CSV file of `peer,time,event` rows (event = join | leave). (Stub: to be implemented.)

use std::path::{Path, PathBuf};

use super::ChurnSchedule;

/// A bad churn-trace file, with the line at fault (0 when the whole file is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

/// Reads a churn trace for a network of `peers` peers.
pub fn read(_path: &Path, _peers: u32) -> Result<ChurnSchedule, TraceError> {
    unimplemented!("churn traces")
}
