//! Edge-list files: one undirected link per line, `A B`; `#` starts a comment. (Stub: to be implemented.)

use std::path::{Path, PathBuf};

use crate::graph::Graph;

/// A bad edge-list file, with the line at fault (0 when the whole file is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgeListError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

/// Reads an edge-list file for a network of `peers` peers.
pub fn read(_path: &Path, _peers: u32) -> Result<Graph, EdgeListError> {
    unimplemented!("edge-list topology")
}
