//! Watts–Strogatz small-world overlays (Watts and Strogatz 1998).
//!
//! Start from the ring lattice where peer i links to i±1, …, i±k/2 (mod n), peers in id order around the
//! ring. Then visit every lattice link (i, i+j), for j = 1..k/2 and, within each j, i = 0..n-1 (the paper's
//! "lap by lap" order), and with probability p move its far end to a peer chosen uniformly among those that
//! are neither i nor already linked to i (so a rewired link always changes). A peer already linked to every
//! other keeps its link. The link count stays n·k/2; p = 0 leaves the lattice, p = 1 gives a random graph in
//! which every peer still keeps its k/2 "own" links.

use rand::RngExt;
use rustc_hash::FxHashSet;

use crate::graph::{Graph, PeerId};
use crate::rng::SimRng;

/// Ring lattice where each peer links to `degree / 2` peers on each side; each link rewired with probability
/// `rewire`. `degree` is rounded down to even and capped at n - 1; `rewire` is clamped to [0, 1].
pub fn watts_strogatz(n: u32, degree: u32, rewire: f64, rng: &mut SimRng) -> Graph {
    let nn = n as usize;
    let half = (degree / 2).min(n.saturating_sub(1) / 2);
    // j < n/2 for every lattice offset, so no lattice link is listed twice.
    let mut edges: Vec<(PeerId, PeerId)> = Vec::with_capacity(nn * half as usize);
    for j in 1..=half {
        for i in 0..n {
            edges.push((i, ((i as u64 + j as u64) % n as u64) as PeerId));
        }
    }
    let p = if rewire.is_nan() {
        0.0
    } else {
        rewire.clamp(0.0, 1.0)
    };
    if p > 0.0 {
        rewire_links(n, &mut edges, 2 * half, p, rng);
    }
    Graph::from_edges(nn, &edges)
}

fn key(a: PeerId, b: PeerId) -> u64 {
    ((a.min(b) as u64) << 32) | a.max(b) as u64
}

/// Rewires `edges` in place (slot e always holds lattice link e's current form). The hash set is only
/// queried, never iterated, so its order cannot affect the result.
fn rewire_links(n: u32, edges: &mut [(PeerId, PeerId)], k: u32, p: f64, rng: &mut SimRng) {
    let mut present: FxHashSet<u64> = edges.iter().map(|&(a, b)| key(a, b)).collect();
    let mut degree = vec![k; n as usize];
    for edge in edges.iter_mut() {
        if !rng.random_bool(p) {
            continue;
        }
        let (u, v) = *edge;
        if degree[u as usize] >= n - 1 {
            continue;
        }
        let w = loop {
            let w = rng.random_range(0..n);
            if w != u && !present.contains(&key(u, w)) {
                break w;
            }
        };
        present.remove(&key(u, v));
        present.insert(key(u, w));
        degree[v as usize] -= 1;
        degree[w as usize] += 1;
        *edge = (u, w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};
    use crate::topology::stats::mean_clustering;

    fn assert_simple(g: &Graph) {
        for v in 0..g.len() as PeerId {
            let nb = g.neighbours(v);
            assert!(
                !nb.contains(&v) && nb.windows(2).all(|w| w[0] < w[1]),
                "peer {v}"
            );
        }
    }

    #[test]
    fn lattice_clustering_is_exact() {
        // In the ring lattice each peer's k neighbours share 3k(k-2)/8 links, so C = 3(k-2) / (4(k-1))
        // (Watts and Strogatz 1998; Barrat and Weigt 2000) whenever n > 3k/2 (no wrap-around shortcuts).
        // Every peer has the same count, so the only error is rounding: 1e-12.
        let mut rng = stream(41, Stream::Topology);
        for k in [4u32, 6, 10] {
            let g = watts_strogatz(1000, k, 0.0, &mut rng);
            let k = k as f64;
            let want = 3.0 * (k - 2.0) / (4.0 * (k - 1.0));
            assert!((mean_clustering(&g) - want).abs() < 1e-12, "k = {k}");
            assert_eq!(g.edge_count() as f64, 1000.0 * k / 2.0);
        }
    }

    #[test]
    fn rewiring_keeps_the_link_count_and_simplicity() {
        let mut rng = stream(42, Stream::Topology);
        for (n, k, p) in [
            (1000u32, 6u32, 0.1),
            (1000, 10, 1.0),
            (9, 8, 0.5),
            (11, 10, 1.0),
            (12, 8, 1.0),
        ] {
            let g = watts_strogatz(n, k, p, &mut rng);
            assert_eq!(g.edge_count(), (n * k / 2) as usize, "n={n} k={k} p={p}");
            assert_simple(&g);
        }
    }

    #[test]
    fn rewired_clustering_follows_barrat_weigt() {
        // Barrat and Weigt (2000): C(p) ≈ C(0) (1-p)^3 — a triangle survives when none of its three links is
        // rewired; new triangles add O(k/n). n = 20,000, k = 10: the mean over 20,000 peers has a standard
        // deviation near 0.001, and the approximation's own error (it ignores links rewired onto former
        // neighbours) is under 0.005 here; tolerance 0.01.
        let mut rng = stream(43, Stream::Topology);
        let c0 = 3.0 * 8.0 / (4.0 * 9.0);
        for p in [0.05, 0.2, 0.5] {
            let g = watts_strogatz(20_000, 10, p, &mut rng);
            let want: f64 = c0 * (1.0f64 - p).powi(3);
            let got = mean_clustering(&g);
            assert!((got - want).abs() < 0.01, "p = {p}: {got} vs {want}");
        }
    }
}
