//! Power-law overlays. (Stub: to be implemented.)

use crate::graph::Graph;
use crate::rng::SimRng;

/// Degrees drawn i.i.d. from P(k) proportional to k^-exponent on [min_degree, max_degree], wired by the
/// configuration model, self-loops and multi-edges removed (the PLRG of Lv et al. 2002).
pub fn configuration_model(
    _n: u32,
    _exponent: f64,
    _min_degree: u32,
    _max_degree: u32,
    _rng: &mut SimRng,
) -> Graph {
    unimplemented!("power-law topology")
}

/// Expected-degree (Chung–Lu) random graph whose expected degrees follow a power law with this exponent and
/// mean `mean_degree`.
pub fn chung_lu(_n: u32, _exponent: f64, _mean_degree: f64, _rng: &mut SimRng) -> Graph {
    unimplemented!("power-law topology with mean_degree")
}
