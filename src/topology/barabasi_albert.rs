//! Barabási–Albert preferential attachment. (Stub: to be implemented.)

use crate::graph::Graph;
use crate::rng::SimRng;

/// Each new peer links to `m` distinct existing peers chosen in proportion to their degree.
pub fn barabasi_albert(_n: u32, _m: u32, _rng: &mut SimRng) -> Graph {
    unimplemented!("barabasi-albert topology")
}
