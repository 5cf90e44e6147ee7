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
    if m * 2 <= possible {
        sparse(n, m, rng)
    } else {
        Graph::from_edges(n as usize, &dense(n, m, rng))
    }
}

/// Rejection sampling: draw pairs, keep the new ones, until m are kept. At most half the pairs are wanted, so
/// each draw is new with probability at least 1/2.
///
/// Built without a set of the pairs seen (which took more memory than the graph): the first m pairs drawn are
/// written into the graph in two passes of the same stream ([`Graph::from_edge_passes`]), the pairs drawn twice
/// are then found in the sorted lists, and as many new pairs are drawn after them as were repeated. The stream
/// is read exactly as by a loop that skips seen pairs, so the graph is the same.
fn sparse(n: u32, m: u64, rng: &mut SimRng) -> Graph {
    let start = rng.clone();
    let mut after = None;
    let mut g = Graph::from_edge_passes(n as usize, |sink| {
        let mut r = start.clone();
        let mut drawn = 0;
        while drawn < m {
            let a = r.random_range(0..n);
            let b = r.random_range(0..n);
            if a != b {
                sink.edge(a, b);
                drawn += 1;
            }
        }
        after = Some(r);
    });
    *rng = after.expect("the passes ran");
    let repeated = g.repeated_edges();
    let wanted: u32 = repeated.iter().map(|r| r.2).sum();
    let mut added: Vec<(PeerId, PeerId)> = Vec::with_capacity(wanted as usize);
    let mut new: FxHashSet<(PeerId, PeerId)> = FxHashSet::default();
    while added.len() < wanted as usize {
        let a = rng.random_range(0..n);
        let b = rng.random_range(0..n);
        if a == b {
            continue;
        }
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        if !g.has_edge(a, b) && new.insert((a, b)) {
            added.push((a, b));
        }
    }
    g.replace_edges(&repeated, &added);
    g
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

    /// The generator as first written: a set of the pairs seen, an edge list, then the graph.
    fn sparse_with_a_set(n: u32, m: u64, rng: &mut SimRng) -> Graph {
        let mut seen: FxHashSet<u64> = FxHashSet::default();
        let mut edges = Vec::new();
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
        Graph::from_edges(n as usize, &edges)
    }

    #[test]
    fn two_passes_give_the_graph_of_the_set_and_leave_the_stream_where_it_left_it() {
        // From no repeated pair to many (half of all pairs wanted).
        for (n, m) in [
            (50_000, 100_000),
            (2_000, 20_000),
            (300, 20_000),
            (100, 2_475),
            (2, 1),
        ] {
            for seed in 0..3 {
                let mut a = stream(seed, Stream::Topology);
                let mut b = stream(seed, Stream::Topology);
                assert_eq!(
                    sparse(n, m, &mut a),
                    sparse_with_a_set(n, m, &mut b),
                    "n {n} m {m}"
                );
                assert_eq!(a.random::<u64>(), b.random::<u64>(), "n {n} m {m}");
            }
        }
    }

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
