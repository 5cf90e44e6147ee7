//! Overlay generators: pure functions of (peers, parameters, rng) returning a [`Graph`]. One file per family;
//! `stats` measures what they built.

pub mod barabasi_albert;
pub mod components;
pub mod edgelist;
pub mod powerlaw;
pub mod random;
pub mod regular;
pub mod small_world;
pub mod stats;
pub mod two_tier;

use crate::error::FileLineError;
use crate::graph::Graph;
use crate::rng::SimRng;
use crate::scenario::{Topology, TopologyKind};

/// A built overlay: the graph, and for two-tier overlays which peers are ultrapeers.
pub struct Built {
    pub graph: Graph,
    pub ultrapeers: Option<Vec<bool>>,
}

/// Why an overlay could not be built.
#[derive(Debug)]
pub enum BuildError {
    /// An edge-list topology without its links read for this network.
    EdgeList(FileLineError),
    /// Power-law degrees drawn that no simple graph has.
    Degrees(powerlaw::NotGraphical),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::EdgeList(e) => write!(f, "{e}"),
            BuildError::Degrees(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Builds the scenario's overlay (an edge list from the links read when the scenario was validated). Fails for
/// an edge list not read for this network, and for power-law degrees that cannot be wired (see
/// [`powerlaw::configuration_model`]).
pub fn build(n: u32, topology: &Topology, rng: &mut SimRng) -> Result<Built, BuildError> {
    let graph = match topology.kind {
        TopologyKind::Random { mean_degree } => random::erdos_renyi(n, mean_degree, rng),
        TopologyKind::Regular { degree } => regular::random_regular(n, degree, rng),
        TopologyKind::PowerLaw { exponent, degrees } => {
            let (min_degree, max_degree) = degrees.range();
            powerlaw::configuration_model(n, exponent, min_degree, max_degree, rng)
                .map_err(BuildError::Degrees)?
        }
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
        TopologyKind::EdgeList { ref path } => match &topology.edge_list {
            Some(list) => edgelist::graph(list, n).map_err(BuildError::EdgeList)?,
            None => {
                return Err(BuildError::EdgeList(FileLineError::new(
                    path,
                    0,
                    "the edge list was not read (scenario::files::read_edge_list reads it)",
                )));
            }
        },
    };
    Ok(Built {
        graph,
        ultrapeers: None,
    })
}
