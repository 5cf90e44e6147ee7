//! Random simple d-regular graphs.
//!
//! d <= 4: the configuration model with rejection (Bollobás 1980): pair the n*d half-edges uniformly and start
//! over at the first self-loop or repeated edge. Every simple pairing is equally likely and every simple graph
//! comes from the same number of pairings, so the result is exactly uniform; the expected number of attempts is
//! about exp((d^2 - 1) / 4), 42 for d = 4.
//! d >= 5: the Steger–Wormald algorithm (1999), which pairs only compatible half-edges and restarts when stuck;
//! asymptotically uniform for slowly growing d, and fast where rejection would need millions of attempts.
//! Dense cases (d > (n - 1) / 2) are built as the complement of a random (n - 1 - d)-regular graph.

use rand::RngExt;

use crate::graph::{Graph, PeerId};
use crate::rng::SimRng;

pub fn random_regular(n: u32, d: u32, rng: &mut SimRng) -> Graph {
    let nn = n as usize;
    if d == 0 {
        return Graph::from_edges(nn, &[]);
    }
    if 2 * d > n - 1 {
        // Complement of a sparse regular graph.
        let co = random_regular(n, n - 1 - d, rng);
        let mut edges = Vec::with_capacity(nn * d as usize / 2);
        for a in 0..n {
            for b in a + 1..n {
                if !co.has_edge(a, b) {
                    edges.push((a, b));
                }
            }
        }
        return Graph::from_edges(nn, &edges);
    }
    let edges = if d <= 4 {
        pairing_with_rejection(n, d, rng)
    } else {
        steger_wormald(n, d, rng)
    };
    Graph::from_edges(nn, &edges)
}

/// True when `a` already has `b` as a neighbour in the partial adjacency (rows of width d).
fn adjacent(adj: &[PeerId], fill: &[u32], d: usize, a: PeerId, b: PeerId) -> bool {
    let row = a as usize * d;
    adj[row..row + fill[a as usize] as usize].contains(&b)
}

fn add(adj: &mut [PeerId], fill: &mut [u32], d: usize, a: PeerId, b: PeerId) {
    adj[a as usize * d + fill[a as usize] as usize] = b;
    fill[a as usize] += 1;
    adj[b as usize * d + fill[b as usize] as usize] = a;
    fill[b as usize] += 1;
}

fn pairing_with_rejection(n: u32, d: u32, rng: &mut SimRng) -> Vec<(PeerId, PeerId)> {
    let du = d as usize;
    let points = n as usize * du;
    let mut pts: Vec<PeerId> = Vec::with_capacity(points);
    let mut adj = vec![0 as PeerId; points];
    let mut fill = vec![0u32; n as usize];
    let mut edges = Vec::with_capacity(points / 2);
    'attempt: loop {
        pts.clear();
        pts.extend((0..n).flat_map(|v| std::iter::repeat_n(v, du)));
        fill.iter_mut().for_each(|f| *f = 0);
        edges.clear();
        // Pair the last point with a uniformly chosen other one: a uniform random perfect matching.
        while let Some(a) = pts.pop() {
            let j = rng.random_range(0..pts.len());
            let b = pts.swap_remove(j);
            if a == b || adjacent(&adj, &fill, du, a, b) {
                continue 'attempt;
            }
            add(&mut adj, &mut fill, du, a, b);
            edges.push((a.min(b), a.max(b)));
        }
        return edges;
    }
}

fn steger_wormald(n: u32, d: u32, rng: &mut SimRng) -> Vec<(PeerId, PeerId)> {
    let du = d as usize;
    let points = n as usize * du;
    let mut pts: Vec<PeerId> = Vec::with_capacity(points);
    let mut adj = vec![0 as PeerId; points];
    let mut fill = vec![0u32; n as usize];
    let mut edges = Vec::with_capacity(points / 2);
    'attempt: loop {
        pts.clear();
        pts.extend((0..n).flat_map(|v| std::iter::repeat_n(v, du)));
        fill.iter_mut().for_each(|f| *f = 0);
        edges.clear();
        let mut failures = 0u32;
        while !pts.is_empty() {
            let i = rng.random_range(0..pts.len());
            let j = rng.random_range(0..pts.len());
            let (a, b) = (pts[i], pts[j]);
            if i != j && a != b && !adjacent(&adj, &fill, du, a, b) {
                add(&mut adj, &mut fill, du, a, b);
                edges.push((a.min(b), a.max(b)));
                let (hi, lo) = if i > j { (i, j) } else { (j, i) };
                pts.swap_remove(hi);
                pts.swap_remove(lo);
                failures = 0;
                continue;
            }
            failures += 1;
            if failures >= 64 {
                // Many misses in a row: only few points are left. Restart if no compatible pair remains.
                let stuck = !pts.iter().enumerate().any(|(x, &a)| {
                    pts[x + 1..]
                        .iter()
                        .any(|&b| a != b && !adjacent(&adj, &fill, du, a, b))
                });
                if stuck {
                    continue 'attempt;
                }
                failures = 0;
            }
        }
        return edges;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};

    fn assert_regular(g: &Graph, d: usize) {
        for v in 0..g.len() as PeerId {
            assert_eq!(g.degree(v), d, "peer {v}");
            let nb = g.neighbours(v);
            assert!(!nb.contains(&v));
            assert!(nb.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn every_peer_has_degree_d() {
        let mut rng = stream(3, Stream::Topology);
        for (n, d) in [(1000, 4), (1000, 3), (500, 7), (10, 8), (11, 10), (12, 1)] {
            let g = random_regular(n, d, &mut rng);
            assert_regular(&g, d as usize);
            assert_eq!(g.edge_count(), n as usize * d as usize / 2);
        }
    }

    #[test]
    fn rejection_sampler_is_uniform_on_a_tiny_case() {
        // The 2-regular graphs on 5 labelled peers are the 4!/2 = 12 five-cycles; each should come up 1/12 of
        // the time. 12000 draws: the standard error of a share is 0.0025, so 0.012 is 4.8 sigma.
        let mut rng = stream(9, Stream::Topology);
        let mut counts = std::collections::BTreeMap::new();
        for _ in 0..12000 {
            let g = random_regular(5, 2, &mut rng);
            *counts.entry(g.edges().collect::<Vec<_>>()).or_insert(0) += 1;
        }
        assert_eq!(counts.len(), 12);
        for c in counts.values() {
            assert!(
                (*c as f64 / 12000.0 - 1.0 / 12.0).abs() < 0.012,
                "{counts:?}"
            );
        }
    }
}
