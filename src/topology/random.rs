//! Erdős–Rényi G(n, m): m distinct edges drawn uniformly among the n(n-1)/2 possible ones.

use rand::RngExt;
use rand::seq::SliceRandom;
use rustc_hash::FxHashSet;

use crate::graph::{Graph, PeerId};
use crate::rng::SimRng;

/// G(n, m) with m = round(n * mean_degree / 2).
pub fn erdos_renyi(n: u32, mean_degree: f64, rng: &mut SimRng) -> Graph {
    let possible = n as u64 * (n as u64 - 1) / 2;
    let m = ((n as f64 * mean_degree / 2.0).round() as u64).min(possible);
    let edges = if m * 2 <= possible {
        sparse(n, m, rng)
    } else {
        dense(n, m, rng)
    };
    Graph::from_edges(n as usize, &edges)
}

/// Rejection sampling: draw pairs, keep the new ones. At most half the pairs are wanted, so each draw is new
/// with probability at least 1/2.
fn sparse(n: u32, m: u64, rng: &mut SimRng) -> Vec<(PeerId, PeerId)> {
    let mut seen: FxHashSet<u64> = FxHashSet::default();
    seen.reserve(m as usize);
    let mut edges = Vec::with_capacity(m as usize);
    while (edges.len() as u64) < m {
        let a = rng.random_range(0..n);
        let b = rng.random_range(0..n);
        if a == b {
            continue;
        }
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        if seen.insert(((a as u64) << 32) | b as u64) {
            edges.push((a, b));
        }
    }
    edges
}

/// Dense graphs (only possible for small n): shuffle all pairs and keep m.
fn dense(n: u32, m: u64, rng: &mut SimRng) -> Vec<(PeerId, PeerId)> {
    let mut all: Vec<(PeerId, PeerId)> = (0..n)
        .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
        .collect();
    let (chosen, _) = all.partial_shuffle(rng, m as usize);
    chosen.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};

    #[test]
    fn edge_count_is_exact_and_simple() {
        let mut rng = stream(1, Stream::Topology);
        let g = erdos_renyi(1000, 6.0, &mut rng);
        assert_eq!(g.edge_count(), 3000);
        for v in 0..1000 {
            let nb = g.neighbours(v);
            assert!(!nb.contains(&v));
            assert!(nb.windows(2).all(|w| w[0] < w[1]), "no multi-edges");
        }
        let dense = erdos_renyi(20, 15.0, &mut rng);
        assert_eq!(dense.edge_count(), 150);
    }
}
