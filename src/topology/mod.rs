//! Overlay generators: pure functions of (peers, parameters, rng) returning a [`Graph`]. One file per family;
//! `stats` measures what they built.

pub mod barabasi_albert;
pub mod edgelist;
pub mod powerlaw;
pub mod random;
pub mod regular;
pub mod small_world;
pub mod stats;
pub mod two_tier;

use crate::graph::Graph;
use crate::rng::SimRng;
use crate::scenario::{PowerLawDegrees, TopologyKind};

/// A built overlay: the graph, and for two-tier overlays which peers are ultrapeers.
pub struct Built {
    pub graph: Graph,
    pub ultrapeers: Option<Vec<bool>>,
}

/// Builds the scenario's overlay. Fails only for an edge-list file that cannot be read or parsed.
pub fn build(
    n: u32,
    kind: &TopologyKind,
    rng: &mut SimRng,
) -> Result<Built, edgelist::EdgeListError> {
    let graph = match *kind {
        TopologyKind::Random { mean_degree } => random::erdos_renyi(n, mean_degree, rng),
        TopologyKind::Regular { degree } => regular::random_regular(n, degree, rng),
        TopologyKind::PowerLaw { exponent, degrees } => match degrees {
            PowerLawDegrees::Range {
                min_degree,
                max_degree,
            } => powerlaw::configuration_model(n, exponent, min_degree, max_degree, rng),
            PowerLawDegrees::Mean {
                mean_degree,
                min_degree,
                max_degree,
            } => powerlaw::chung_lu_bounded(n, exponent, mean_degree, min_degree, max_degree, rng),
        },
        TopologyKind::BarabasiAlbert { m } => barabasi_albert::barabasi_albert(n, m, rng),
        TopologyKind::SmallWorld { degree, rewire } => {
            small_world::watts_strogatz(n, degree, rewire, rng)
        }
        TopologyKind::TwoTier {
            ultrapeer_share,
            ultrapeer_degree,
            leaf_links,
        } => {
            let (graph, ultrapeers) =
                two_tier::two_tier(n, ultrapeer_share, ultrapeer_degree, leaf_links, rng);
            return Ok(Built {
                graph,
                ultrapeers: Some(ultrapeers),
            });
        }
        TopologyKind::EdgeList { ref path } => edgelist::read(path, n)?,
    };
    Ok(Built {
        graph,
        ultrapeers: None,
    })
}
