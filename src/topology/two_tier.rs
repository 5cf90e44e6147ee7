//! Gnutella 0.6 two-tier overlays: ultrapeers and leaves.
//!
//! u = max(2, round(n · ultrapeer_share)) peers (at most n) are ultrapeers: a uniformly random subset of the
//! ids, drawn with the rng, so an id says nothing about a peer's role. The ultrapeers form a random
//! ultrapeer_degree-regular mesh (`regular::random_regular` on u peers, relabelled). When u · degree is odd
//! no such graph exists; then one randomly placed ultrapeer has degree - 1 mesh links and all others have
//! `degree` (see [`ultrapeer_mesh`]). Every leaf links to exactly leaf_links distinct ultrapeers, chosen
//! uniformly (Floyd's sampling); leaves never link to leaves.
//! Links: floor(u · degree / 2) + (n - u) · leaf_links.

use rand::RngExt;
use rand::seq::SliceRandom;

use crate::graph::{Graph, PeerId};
use crate::rng::SimRng;
use crate::topology::regular::random_regular;

/// Returns the graph and, per peer, whether it is an ultrapeer.
/// `ultrapeer_degree` is capped at u - 1 and `leaf_links` at u (validation already guarantees both).
pub fn two_tier(
    n: u32,
    ultrapeer_share: f64,
    ultrapeer_degree: u32,
    leaf_links: u32,
    rng: &mut SimRng,
) -> (Graph, Vec<bool>) {
    let nn = n as usize;
    let share = if ultrapeer_share.is_nan() {
        0.0
    } else {
        ultrapeer_share.clamp(0.0, 1.0)
    };
    let u = crate::scenario::ultrapeer_count(n, share);
    let mut ids: Vec<PeerId> = (0..n).collect();
    let (chosen, _) = ids.partial_shuffle(rng, u as usize);
    let ultrapeers: Vec<PeerId> = chosen.to_vec();
    let mut is_ultrapeer = vec![false; nn];
    for &v in &ultrapeers {
        is_ultrapeer[v as usize] = true;
    }
    let d = ultrapeer_degree.min(u.saturating_sub(1));
    let k = leaf_links.min(u);
    let leaves = n - u;
    let mut edges: Vec<(PeerId, PeerId)> =
        Vec::with_capacity((u as usize * d as usize) / 2 + leaves as usize * k as usize);
    for (a, b) in ultrapeer_mesh(u, d, rng) {
        edges.push((ultrapeers[a as usize], ultrapeers[b as usize]));
    }
    // mark[t] == leaf while the leaf has picked ultrapeer slot t.
    let mut mark = vec![PeerId::MAX; u as usize];
    for leaf in (0..n).filter(|&v| !is_ultrapeer[v as usize]) {
        for t in floyd_sample(u, k, leaf, &mut mark, rng) {
            edges.push((leaf, ultrapeers[t as usize]));
        }
    }
    (Graph::from_edges(nn, &edges), is_ultrapeer)
}

/// Floyd's algorithm: k distinct values of 0..u, every k-subset equally likely, in k draws.
fn floyd_sample(u: u32, k: u32, stamp: PeerId, mark: &mut [PeerId], rng: &mut SimRng) -> Vec<u32> {
    let mut out = Vec::with_capacity(k as usize);
    for j in u - k..u {
        let mut t = rng.random_range(0..=j);
        if mark[t as usize] == stamp {
            t = j; // j itself cannot have been picked yet: every earlier pick was ≤ j - 1
        }
        mark[t as usize] = stamp;
        out.push(t);
    }
    out
}

/// Links among ultrapeer slots 0..u, each of degree d ≤ u - 1.
///
/// u · d even: a random d-regular graph. u · d odd (u and d odd, so d ≤ u - 2): a random d-regular graph on
/// slots 0..u-1, then (d - 1)/2 of its links, forming a matching, are each replaced by two links to slot u - 1:
/// their endpoints keep degree d and slot u - 1 gets d - 1. The matching is grown greedily over the links in
/// random order; any maximal matching of a d-regular graph has at least d/2 links (its unmatched peers are
/// pairwise non-adjacent, so each one's d neighbours are all matched), so (d - 1)/2 are always found.
fn ultrapeer_mesh(u: u32, d: u32, rng: &mut SimRng) -> Vec<(PeerId, PeerId)> {
    if d == 0 || u < 2 {
        return Vec::new();
    }
    if (u as u64 * d as u64).is_multiple_of(2) {
        return random_regular(u, d, rng).edges().collect();
    }
    let extra = u - 1;
    let mut edges: Vec<(PeerId, PeerId)> = random_regular(extra, d, rng).edges().collect();
    edges.shuffle(rng);
    let wanted = (d as usize - 1) / 2;
    let mut used = vec![false; extra as usize];
    let mut kept = Vec::with_capacity(edges.len() + 1);
    let mut taken = 0usize;
    for (a, b) in edges {
        if taken < wanted && !used[a as usize] && !used[b as usize] {
            used[a as usize] = true;
            used[b as usize] = true;
            taken += 1;
            kept.push((a, extra));
            kept.push((b, extra));
        } else {
            kept.push((a, b));
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};

    /// Checks the structure exactly; returns the number of ultrapeers.
    fn check(g: &Graph, up: &[bool], degree: usize, leaf_links: usize) -> usize {
        let mut odd_one_out = 0;
        for v in 0..g.len() as PeerId {
            let nb = g.neighbours(v);
            assert!(!nb.contains(&v) && nb.windows(2).all(|w| w[0] < w[1]));
            let ups = nb.iter().filter(|&&w| up[w as usize]).count();
            if up[v as usize] {
                if ups == degree - 1 {
                    odd_one_out += 1;
                } else {
                    assert_eq!(ups, degree, "ultrapeer {v}'s mesh links");
                }
            } else {
                assert_eq!(ups, leaf_links, "leaf {v}'s ultrapeers");
                assert_eq!(nb.len(), leaf_links, "leaf {v} links to a leaf");
            }
        }
        let u = up.iter().filter(|&&x| x).count();
        // Only when u · degree is odd, and then exactly one ultrapeer is short by one.
        assert_eq!(odd_one_out, (u * degree) % 2, "u={u} degree={degree}");
        u
    }

    #[test]
    fn leaves_and_ultrapeers_have_exactly_their_links() {
        let mut rng = stream(51, Stream::Topology);
        // (n, share, degree, leaf links, expected u): u = max(2, round(n · share)).
        for (n, share, d, k, want_u) in [
            (10_000u32, 0.1, 6u32, 3u32, 1000usize),
            (2000, 0.05, 10, 1, 100),
            (1001, 0.101, 5, 2, 101), // u · d = 505, odd
            (500, 0.002, 1, 2, 2), // round(1) = 1 -> 2 ultrapeers, each the other's only mesh link
            (300, 0.05, 14, 15, 15), // complete ultrapeer mesh; every leaf links to all 15
            (50, 0.1, 3, 2, 5),    // u · d = 15, odd: one ultrapeer has 2 mesh links
        ] {
            let (g, up) = two_tier(n, share, d, k, &mut rng);
            assert_eq!(up.len(), n as usize);
            let u = check(&g, &up, d as usize, k as usize);
            assert_eq!(u, want_u);
            let links = u * d as usize / 2 + (n as usize - u) * k as usize;
            assert_eq!(g.edge_count(), links);
        }
    }

    #[test]
    fn leaves_choose_ultrapeers_uniformly() {
        // 4 ultrapeers, 2 links per leaf: each of the 6 pairs should be equally likely. 60,000 leaves:
        // standard error of a pair's share 0.0015, so 0.008 is over 5 sigma.
        let mut rng = stream(52, Stream::Topology);
        let n = 60_004u32;
        let (g, up) = two_tier(n, 4.0 / n as f64, 1, 2, &mut rng);
        let ups: Vec<PeerId> = (0..n).filter(|&v| up[v as usize]).collect();
        let mut counts = std::collections::BTreeMap::new();
        for v in (0..n).filter(|&v| !up[v as usize]) {
            *counts.entry(g.neighbours(v).to_vec()).or_insert(0usize) += 1;
        }
        assert_eq!(ups.len(), 4);
        assert_eq!(counts.len(), 6);
        for c in counts.values() {
            assert!(
                (*c as f64 / 60_000.0 - 1.0 / 6.0).abs() < 0.008,
                "{counts:?}"
            );
        }
    }
}
