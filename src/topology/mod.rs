//! Overlay generators: pure functions of (peers, parameters, rng) returning a [`Graph`]. One file per family;
//! `stats` measures what they built.

pub mod random;
pub mod regular;
pub mod stats;

use crate::graph::Graph;
use crate::rng::SimRng;
use crate::scenario::TopologyKind;

/// Builds the scenario's overlay.
pub fn build(n: u32, kind: &TopologyKind, rng: &mut SimRng) -> Graph {
    match *kind {
        TopologyKind::Random { mean_degree } => random::erdos_renyi(n, mean_degree, rng),
        TopologyKind::Regular { degree } => regular::random_regular(n, degree, rng),
    }
}
