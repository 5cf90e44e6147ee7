//! Watts–Strogatz small-world overlays. (Stub: to be implemented.)

use crate::graph::Graph;
use crate::rng::SimRng;

/// Ring lattice where each peer links to `degree / 2` peers on each side; each link rewired with probability
/// `rewire`.
pub fn watts_strogatz(_n: u32, _degree: u32, _rewire: f64, _rng: &mut SimRng) -> Graph {
    unimplemented!("small-world topology")
}
