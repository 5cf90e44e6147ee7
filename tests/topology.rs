//! Whole-crate checks of `topology::build`: every kind is wired, deterministic given the seed, and builds a
//! simple graph of the requested size.

use std::path::PathBuf;
use std::sync::Arc;

use gnutsim::graph::Graph;
use gnutsim::rng::{Stream, stream};
use gnutsim::scenario::{PowerLawDegrees, Topology, TopologyKind, files};
use gnutsim::topology::{self, edgelist};

fn kinds(edge_file: PathBuf) -> Vec<TopologyKind> {
    vec![
        TopologyKind::Random { mean_degree: 6.0 },
        TopologyKind::Regular { degree: 4 },
        TopologyKind::PowerLaw {
            exponent: 2.3,
            degrees: PowerLawDegrees::Range {
                min_degree: 2,
                max_degree: 2999,
            },
        },
        TopologyKind::PowerLaw {
            exponent: 2.3,
            degrees: PowerLawDegrees::Mean {
                mean_degree: 6.0,
                min_degree: 3,
                max_degree: 40,
                min_given: false,
                max_given: false,
            },
        },
        TopologyKind::BarabasiAlbert { m: 3 },
        TopologyKind::SmallWorld {
            degree: 6,
            rewire: 0.1,
        },
        TopologyKind::TwoTier {
            ultrapeer_share: 0.1,
            ultrapeer_degree: 8,
            leaf_links: 3,
        },
        TopologyKind::EdgeList { path: edge_file },
    ]
}

fn assert_simple(g: &Graph) {
    for v in 0..g.len() as u32 {
        let nb = g.neighbours(v);
        assert!(
            !nb.contains(&v) && nb.windows(2).all(|w| w[0] < w[1]),
            "peer {v}"
        );
    }
}

#[test]
fn every_kind_builds_deterministically() {
    const N: u32 = 3000;
    let dir = std::env::temp_dir().join(format!("gnutsim-topology-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("links.txt");
    let source = topology::random::erdos_renyi(N, 5.0, &mut stream(7, Stream::Topology));
    std::fs::write(&file, edgelist::write(&source)).expect("write edge list");
    // The file is read once, as validation does, and the overlay built from what was read.
    let links = Arc::new(files::read_edge_list(&file, N).expect("reads"));
    for kind in kinds(file.clone()) {
        let edge_list = matches!(kind, TopologyKind::EdgeList { .. }).then(|| links.clone());
        let t = Topology {
            kind: kind.clone(),
            label: None,
            edge_list,
        };
        let build = |seed| topology::build(N, &t, &mut stream(seed, Stream::Topology));
        let a = build(1).expect("builds");
        let b = build(1).expect("builds");
        let c = build(2).expect("builds");
        assert_eq!(a.graph.len(), N as usize, "{kind:?}");
        assert_simple(&a.graph);
        // Same seed, same overlay; another seed, another overlay (except a file, which has no randomness).
        assert!(
            a.graph == b.graph && a.ultrapeers == b.ultrapeers,
            "{kind:?}"
        );
        let from_file = matches!(kind, TopologyKind::EdgeList { .. });
        assert_eq!(a.graph == c.graph, from_file, "{kind:?}");
        assert_eq!(
            a.ultrapeers.is_some(),
            matches!(kind, TopologyKind::TwoTier { .. })
        );
        if from_file {
            assert_eq!(a.graph, source);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
