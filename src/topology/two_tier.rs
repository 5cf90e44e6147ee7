//! Gnutella 0.6 two-tier overlays: ultrapeers and leaves. (Stub: to be implemented.)

use crate::graph::Graph;
use crate::rng::SimRng;

/// Returns the graph and, per peer, whether it is an ultrapeer.
pub fn two_tier(
    _n: u32,
    _ultrapeer_share: f64,
    _ultrapeer_degree: u32,
    _leaf_links: u32,
    _rng: &mut SimRng,
) -> (Graph, Vec<bool>) {
    unimplemented!("two-tier topology")
}
