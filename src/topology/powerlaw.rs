//! Power-law overlays: degrees drawn i.i.d. from the truncated power law P(k) ∝ k^-exponent on
//! [min_degree, max_degree], wired by the configuration model into a simple graph that keeps every drawn degree
//! (the PLRG of Lv et al. 2002, without the erasure that thins it).
//!
//! A scenario gives the range ([`configuration_model`] with its bounds), or a mean degree, for which
//! [`crate::dist::powerlaw::solve_for_mean`] picks the range (the law itself, its mean and its sampler are in [`crate::dist::powerlaw`]).

use std::collections::BinaryHeap;
use std::fmt;

use rand::RngExt;
use rand::seq::SliceRandom;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::dist::powerlaw::sample_degrees;
use crate::graph::{Graph, PeerId};
use crate::rng::SimRng;

/// A degree sequence that no simple graph has (it fails the Erdős–Gallai condition).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotGraphical {
    pub peers: usize,
    pub largest: u32,
    /// The k of the first Erdős–Gallai inequality that fails: the k best-connected peers need more links
    /// than the rest can give them. 0 for an odd degree sum.
    pub k: usize,
    /// The largest cap on these degrees under which they could be wired, if one was worked out.
    pub cap: Option<u32>,
}

impl fmt::Display for NotGraphical {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.k == 0 {
            return write!(f, "the drawn degrees have an odd sum: no graph has them");
        }
        write!(
            f,
            "the degrees drawn for the {} peers (largest {}) cannot be wired into a simple graph: the {} \
             best-connected peers need more links than the other peers can give them (the Erdős–Gallai \
             condition); lower max_degree",
            self.peers, self.largest, self.k
        )?;
        if let Some(cap) = self.cap {
            write!(f, " (these draws capped at {cap} could be wired)")?;
        }
        write!(f, " or raise the exponent")
    }
}

impl std::error::Error for NotGraphical {}

/// Degrees drawn i.i.d. from P(k) ∝ k^-exponent on [min_degree, max_degree], wired into a simple graph with
/// exactly those degrees by [`wire`].
///
/// An odd degree sum cannot be paired, so one uniformly chosen peer gets one more stub, or one fewer if it
/// already has max_degree; never fewer than min_degree (with min_degree = max_degree, that peer gets
/// max_degree + 1). max_degree is capped at n - 1, min_degree at max_degree. When the drawn sequence is not
/// graphical (hubs that need more distinct partners than there are: tiny overlays, or exponents near or below 2
/// with max_degree near n), the largest draws are lowered to the highest cap that can be wired; it fails only
/// when no cap at or above min_degree can.
pub fn configuration_model(
    n: u32,
    exponent: f64,
    min_degree: u32,
    max_degree: u32,
    rng: &mut SimRng,
) -> Result<Graph, NotGraphical> {
    if n < 2 {
        return Ok(Graph::from_edges(n as usize, &[]));
    }
    let max_degree = max_degree.clamp(1, n - 1);
    let min_degree = min_degree.clamp(1, max_degree);
    let mut degrees = sample_degrees(n, exponent, min_degree, max_degree, rng);
    make_sum_even(&mut degrees, min_degree, max_degree, n - 1, rng);
    let edges = match wire(&degrees, rng) {
        Ok(edges) => edges,
        Err(mut e) => {
            // Hubs that need more distinct partners than there are: the largest draws are lowered to the
            // highest cap that can be wired (as erasing multi-links thins the tail), none below min_degree.
            e.cap = largest_graphical_cap(&degrees, min_degree);
            let capped = e
                .cap
                .map(|m| capped(&degrees, m))
                .filter(|c| c.iter().all(|&d| d >= min_degree) && erdos_gallai(c).is_ok());
            match capped {
                Some(c) => wire(&c, rng)?,
                None => return Err(e),
            }
        }
    };
    drop(degrees);
    Ok(Graph::from_edges(n as usize, &edges))
}

/// `degrees` capped at `m`, one capped degree one lower if that makes the sum odd.
fn capped(degrees: &[u32], m: u32) -> Vec<u32> {
    let mut capped: Vec<u32> = degrees.iter().map(|&d| d.min(m)).collect();
    let sum: u64 = capped.iter().map(|&d| d as u64).sum();
    if sum % 2 == 1
        && let Some(d) = capped.iter_mut().find(|d| **d == m && m > 0)
    {
        *d -= 1;
    }
    capped
}

fn make_sum_even(degrees: &mut [u32], min: u32, max: u32, cap: u32, rng: &mut SimRng) {
    let sum: u64 = degrees.iter().map(|&d| d as u64).sum();
    if sum % 2 == 1 {
        let v = rng.random_range(0..degrees.len());
        if degrees[v] < max || (degrees[v] <= min && degrees[v] < cap) {
            degrees[v] += 1;
        } else {
            degrees[v] -= 1;
        }
    }
}

/// An edge {a, b} as one number, smaller id in the high half (so sorting keys sorts edges).
#[inline]
fn key(a: PeerId, b: PeerId) -> u64 {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    (lo as u64) << 32 | hi as u64
}

#[inline]
fn ends(k: u64) -> (PeerId, PeerId) {
    ((k >> 32) as PeerId, k as PeerId)
}

/// The links of the graph being repaired: the first pairing's distinct links (sorted, looked up by binary
/// search) and the changes since (a small map), so repairs cost memory in proportion to what they change.
struct Links {
    /// Every link ever present; the first `base` entries sorted. Stale entries (removed since) stay.
    list: Vec<u64>,
    base: usize,
    /// Present (true) or removed (false), for every link added or removed after the first pairing.
    changed: FxHashMap<u64, bool>,
}

impl Links {
    fn contains(&self, k: u64) -> bool {
        match self.changed.get(&k) {
            Some(&present) => present,
            None => self.list[..self.base].binary_search(&k).is_ok(),
        }
    }

    fn insert(&mut self, k: u64) {
        self.changed.insert(k, true);
        self.list.push(k);
    }

    fn remove(&mut self, k: u64) {
        self.changed.insert(k, false);
    }

    /// A uniformly chosen entry of the list that is still present (`None` after `tries` stale draws).
    fn pick(&self, rng: &mut SimRng, tries: u32) -> Option<u64> {
        if self.list.is_empty() {
            return None;
        }
        (0..tries)
            .map(|_| self.list[rng.random_range(0..self.list.len())])
            .find(|&k| self.contains(k))
    }

    fn into_edges(self) -> Vec<(PeerId, PeerId)> {
        let mut keys: Vec<u64> = self
            .list
            .iter()
            .copied()
            .filter(|&k| self.contains(k))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys.into_iter().map(ends).collect()
    }
}

/// Failed switch draws in a row after which a bad pair is taken as stuck (its peers are linked to nearly
/// everyone) and the wiring falls back to Havel–Hakimi. A switch succeeds with probability over 1/2 unless a
/// peer of the pair is linked to half the peers, so a sparse graph fails 256 in a row with probability < 2^-256.
const STUCK: usize = 256;

/// Wires peers into a simple graph in which peer v has exactly `degrees[v]` links: the configuration model
/// with its self-loops and repeated links re-paired rather than erased.
///
/// 1. Every peer gets `degrees[v]` stubs; the shuffled stubs are paired in order (a uniform matching).
///    The first copy of each link is kept; self-loops and repeated copies are *bad pairs*.
/// 2. The stubs of the bad pairs are shuffled and paired again among themselves, accepting each new pair that
///    is neither a loop nor an existing link, for as long as a round makes progress (at most 16 rounds).
/// 3. Each remaining bad pair {u, v} is switched with a uniformly drawn link {x, y}, randomly oriented: they
///    become {u, x} and {v, y} when neither is a loop or an existing link (a degree-preserving switch), else
///    another link is drawn; at most 64 draws per bad pair plus 10,000.
/// 4. If bad pairs remain (dense sequences, where almost every switch would create a repeated link), the graph
///    is rebuilt by Havel–Hakimi (which wires any graphical sequence) and mixed by 10 switches per link.
///
/// Guarantee: for a graphical sequence (even sum, Erdős–Gallai, checked first) the result is a simple graph
/// with exactly these degrees; the number of steps is bounded, so it terminates on any input, tiny or dense
/// (3 peers of degree 2 give the triangle). A sequence that is not graphical is an error. In sparse graphs
/// steps 3-4 touch only the few pairs between hubs, so the result is the configuration model conditioned on
/// being simple up to those switches. Deterministic given the generator's state.
pub fn wire(degrees: &[u32], rng: &mut SimRng) -> Result<Vec<(PeerId, PeerId)>, NotGraphical> {
    erdos_gallai(degrees)?;
    let total: usize = degrees.iter().map(|&d| d as usize).sum();
    let mut stubs: Vec<PeerId> = Vec::with_capacity(total);
    for (v, &d) in degrees.iter().enumerate() {
        stubs.extend(std::iter::repeat_n(v as PeerId, d as usize));
    }
    stubs.shuffle(rng);
    let mut pairs: Vec<u64> = stubs.chunks_exact(2).map(|p| key(p[0], p[1])).collect();
    drop(stubs);
    pairs.sort_unstable();
    // Keep the first copy of each link; loops and repeats are bad. Pairs are sorted, so repeats are adjacent.
    let mut bad: Vec<u64> = Vec::new();
    let mut kept = 0;
    for i in 0..pairs.len() {
        let k = pairs[i];
        let (a, b) = ends(k);
        if a == b || (kept > 0 && pairs[kept - 1] == k) {
            bad.push(k);
        } else {
            pairs[kept] = k;
            kept += 1;
        }
    }
    pairs.truncate(kept);
    let mut links = Links {
        base: pairs.len(),
        list: pairs,
        changed: FxHashMap::default(),
    };
    if bad.is_empty() {
        return Ok(links.into_edges());
    }

    // 2. Re-pair the bad stubs among themselves while that helps.
    for _ in 0..16 {
        let before = bad.len();
        let mut stubs: Vec<PeerId> = bad
            .iter()
            .flat_map(|&k| {
                let (a, b) = ends(k);
                [a, b]
            })
            .collect();
        stubs.shuffle(rng);
        bad.clear();
        for p in stubs.chunks_exact(2) {
            let k = key(p[0], p[1]);
            if p[0] != p[1] && !links.contains(k) {
                links.insert(k);
            } else {
                bad.push(k);
            }
        }
        if bad.is_empty() || bad.len() >= before {
            break;
        }
    }

    // 3. Switch each remaining bad pair with a random link.
    let mut budget = 64 * bad.len() + 10_000;
    let mut stuck = 0;
    while let Some(&k) = bad.last() {
        if budget == 0 || stuck == STUCK {
            break;
        }
        budget -= 1;
        stuck += 1;
        let (u, v) = ends(k);
        if u != v && !links.contains(k) {
            // An earlier switch removed the link this pair repeated: it is fine as it is now.
            links.insert(k);
            bad.pop();
            stuck = 0;
            continue;
        }
        let Some(other) = links.pick(rng, 8) else {
            break;
        };
        let (mut x, mut y) = ends(other);
        if rng.random::<bool>() {
            std::mem::swap(&mut x, &mut y);
        }
        let (k1, k2) = (key(u, x), key(v, y));
        if u != x && v != y && k1 != k2 && !links.contains(k1) && !links.contains(k2) {
            links.remove(other);
            links.insert(k1);
            links.insert(k2);
            bad.pop();
            stuck = 0;
        }
    }
    if bad.is_empty() {
        return Ok(links.into_edges());
    }

    // 4. Dense: a deterministic wiring, then random switches.
    let mut edges = havel_hakimi(degrees);
    mix(&mut edges, rng);
    Ok(edges.into_iter().map(ends).collect())
}

/// Checks the Erdős–Gallai condition (with an even sum and every degree below n, it is necessary and
/// sufficient for a simple graph to exist): for the degrees sorted in decreasing order d_1 >= ... >= d_n and
/// every k, Σ_{i<=k} d_i <= k(k-1) + Σ_{i>k} min(d_i, k). O(n) after a counting sort.
fn erdos_gallai(degrees: &[u32]) -> Result<(), NotGraphical> {
    let n = degrees.len();
    let largest = degrees.iter().copied().max().unwrap_or(0);
    let fail = |k| NotGraphical {
        peers: n,
        largest,
        k,
        cap: None,
    };
    let sum: u64 = degrees.iter().map(|&d| d as u64).sum();
    if sum % 2 == 1 {
        return Err(fail(0));
    }
    if n == 0 {
        return Ok(());
    }
    if largest as usize >= n {
        return Err(fail(1));
    }
    // count[d]: peers of degree d; sorted: degrees in decreasing order.
    let mut count = vec![0usize; largest as usize + 1];
    for &d in degrees {
        count[d as usize] += 1;
    }
    let mut sorted: Vec<u64> = Vec::with_capacity(n);
    for d in (0..=largest as usize).rev() {
        sorted.extend(std::iter::repeat_n(d as u64, count[d]));
    }
    // prefix[i] = sum of the i largest.
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0u64);
    for &d in &sorted {
        prefix.push(prefix.last().expect("non-empty") + d);
    }
    // at_least[k] = peers with degree >= k, for k = 0 ..= largest + 1.
    let mut at_least = vec![0usize; largest as usize + 2];
    for d in (0..=largest as usize).rev() {
        at_least[d] = at_least[d + 1] + count[d];
    }
    for k in 1..=n {
        let lhs = prefix[k];
        // The peers after the k-th with degree >= k are indices k .. p (0-based); they give k each.
        let p = at_least.get(k).copied().unwrap_or(0);
        let rest = if p > k {
            (k * (p - k)) as u64 + (sum - prefix[p])
        } else {
            sum - prefix[k]
        };
        if lhs > (k * (k - 1)) as u64 + rest {
            return Err(fail(k));
        }
    }
    Ok(())
}

/// The largest cap m >= `floor` such that the degrees capped at m (one capped degree one lower if that makes the
/// sum odd) are graphical: what max_degree to suggest when a draw cannot be wired. Bisection, since capping
/// lower only makes a sequence easier to wire.
fn largest_graphical_cap(degrees: &[u32], floor: u32) -> Option<u32> {
    let ok = |m: u32| erdos_gallai(&capped(degrees, m)).is_ok();
    let (mut lo, mut hi) = (floor.max(1), degrees.iter().copied().max()?);
    if !ok(lo) {
        return None;
    }
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if ok(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Some(lo)
}

/// Havel–Hakimi: repeatedly link the peer with the most unmet degree to the peers with the next most. Wires
/// every graphical sequence (as edge keys). Ties go to the higher peer id, so it is deterministic.
fn havel_hakimi(degrees: &[u32]) -> Vec<u64> {
    let mut heap: BinaryHeap<(u32, PeerId)> = degrees
        .iter()
        .enumerate()
        .filter(|&(_, &d)| d > 0)
        .map(|(v, &d)| (d, v as PeerId))
        .collect();
    let mut edges = Vec::with_capacity(degrees.iter().map(|&d| d as usize).sum::<usize>() / 2);
    let mut taken = Vec::new();
    while let Some((d, v)) = heap.pop() {
        taken.clear();
        for _ in 0..d {
            // Graphical (checked by the caller), so enough partners remain.
            let Some(partner) = heap.pop() else { break };
            taken.push(partner);
        }
        for &(pd, p) in &taken {
            edges.push(key(v, p));
            if pd > 1 {
                heap.push((pd - 1, p));
            }
        }
    }
    edges
}

/// Degree-preserving random switches: two uniformly drawn links {a, b}, {c, d} become {a, d}, {c, b} (or
/// {a, c}, {b, d}) when that makes neither a loop nor a repeated link. 10 attempts per link.
fn mix(edges: &mut [u64], rng: &mut SimRng) {
    if edges.len() < 2 {
        return;
    }
    let mut present: FxHashSet<u64> = edges.iter().copied().collect();
    for _ in 0..10 * edges.len() {
        let i = rng.random_range(0..edges.len());
        let j = rng.random_range(0..edges.len());
        if i == j {
            continue;
        }
        let (a, b) = ends(edges[i]);
        let (mut c, mut d) = ends(edges[j]);
        if rng.random::<bool>() {
            std::mem::swap(&mut c, &mut d);
        }
        let (k1, k2) = (key(a, d), key(c, b));
        if a == d || c == b || k1 == k2 || present.contains(&k1) || present.contains(&k2) {
            continue;
        }
        present.remove(&edges[i]);
        present.remove(&edges[j]);
        present.insert(k1);
        present.insert(k2);
        edges[i] = k1;
        edges[j] = k2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};
    use crate::topology::stats::powerlaw_fit;

    fn assert_simple(g: &Graph) {
        for v in 0..g.len() as PeerId {
            let nb = g.neighbours(v);
            assert!(!nb.contains(&v), "self-loop at {v}");
            assert!(nb.windows(2).all(|w| w[0] < w[1]), "multi-edge at {v}");
        }
    }

    fn degrees(g: &Graph) -> Vec<u32> {
        (0..g.len() as PeerId).map(|v| g.degree(v) as u32).collect()
    }

    #[test]
    fn constant_degrees_are_kept_exactly() {
        // min = max = d: every peer must end with degree d. Erasing, as before, lost a link per self-loop and
        // repeat (about 2 of 1500 for d = 3 on 1000 peers), and often broke the triangle and K4 below.
        for seed in 0..50 {
            let mut rng = stream(seed, Stream::Topology);
            let g = configuration_model(1000, 2.5, 3, 3, &mut rng).expect("graphical");
            assert_simple(&g);
            assert!(degrees(&g).iter().all(|&d| d == 3), "seed {seed}");
            assert_eq!(g.edge_count(), 1500);
            // The only simple graphs with these degrees: the triangle (3 peers of degree 2) and K4 (4 of 3).
            let t = configuration_model(3, 2.0, 2, 2, &mut rng).expect("graphical");
            assert_eq!(t.edge_count(), 3, "seed {seed}");
            let k4 = configuration_model(4, 2.0, 3, 3, &mut rng).expect("graphical");
            assert_eq!(k4.edge_count(), 6, "seed {seed}");
        }
        // 5 peers of degree 3: 15 stubs, so one peer gets a fourth (never a second): 8 links.
        let g = configuration_model(5, 2.0, 3, 3, &mut stream(1, Stream::Topology)).expect("ok");
        let mut d = degrees(&g);
        d.sort_unstable();
        assert_eq!(d, [3, 3, 3, 3, 4]);
    }

    #[test]
    fn wiring_keeps_every_drawn_degree() {
        // Heavy tails on 2000 peers (hubs of several hundred links, many loops and repeats to re-pair): every
        // peer ends with exactly the degree drawn. The sampler is rerun from the same state to know the draws.
        for (a, min, seed) in [(2.1, 2, 1), (2.3, 2, 2), (2.5, 3, 3), (2.05, 1, 4)] {
            let mut rng = stream(seed, Stream::Topology);
            let mut want = sample_degrees(2000, a, min, 1999, &mut rng);
            make_sum_even(&mut want, min, 1999, 1999, &mut rng);
            let mut rng = stream(seed, Stream::Topology);
            let g = configuration_model(2000, a, min, 1999, &mut rng).expect("graphical");
            assert_simple(&g);
            assert_eq!(degrees(&g), want, "exponent {a}");
        }
    }

    #[test]
    fn dense_and_tiny_sequences_terminate() {
        // Every graphical sequence gets exactly its degrees, whatever its density: complete graphs, a complete
        // graph minus a perfect matching, a star, and random dense sequences (checked by Erdős–Gallai first).
        let mut rng = stream(21, Stream::Topology);
        let cases: Vec<Vec<u32>> = vec![
            vec![4; 5],
            vec![9; 10],
            vec![8; 10],
            vec![5, 1, 1, 1, 1, 1],
            vec![2, 2, 2],
            vec![1, 1],
            vec![0, 0, 0],
        ];
        for d in &cases {
            let g = Graph::from_edges(d.len(), &wire(d, &mut rng).expect("graphical"));
            assert_simple(&g);
            assert_eq!(&degrees(&g), d);
        }
        let mut tried = 0;
        for _ in 0..300 {
            let n = rng.random_range(2..12usize);
            let d: Vec<u32> = (0..n).map(|_| rng.random_range(0..n as u32)).collect();
            match wire(&d, &mut rng) {
                Ok(edges) => {
                    let g = Graph::from_edges(n, &edges);
                    assert_simple(&g);
                    assert_eq!(degrees(&g), d);
                    tried += 1;
                }
                Err(e) => assert!(erdos_gallai(&d).is_err(), "{d:?}: {e}"),
            }
        }
        assert!(tried > 50, "{tried} graphical sequences");
    }

    #[test]
    fn sequences_that_are_not_graphical_are_refused() {
        // By hand: (3, 3, 1, 1): the two peers of degree 3 need each other and both others, so the others need
        // degree 2 (k = 2: 6 > 2 + 1 + 1). An odd sum, and a degree of n or more, cannot be wired either.
        let mut rng = stream(22, Stream::Topology);
        assert_eq!(wire(&[3, 3, 1, 1], &mut rng).unwrap_err().k, 2);
        assert_eq!(wire(&[1, 1, 1], &mut rng).unwrap_err().k, 0);
        assert!(wire(&[3, 1, 1, 1], &mut rng).is_ok());
        assert!(wire(&[4, 1, 1, 1, 1], &mut rng).is_ok());
        assert!(wire(&[4, 2, 1, 1], &mut rng).is_err());
        let e = wire(&[3, 3, 1, 1], &mut rng).unwrap_err().to_string();
        assert!(e.contains("lower max_degree"), "{e}");
    }

    #[test]
    fn configuration_model_is_simple_and_respects_the_degree_range() {
        let mut rng = stream(12, Stream::Topology);
        let g = configuration_model(2000, 2.5, 3, 40, &mut rng).expect("graphical");
        assert_simple(&g);
        // Every drawn degree is kept and the parity fix never leaves [min, max] when min < max.
        assert!(degrees(&g).iter().all(|&d| (3..=40).contains(&d)));
    }

    #[test]
    fn configuration_model_degrees_fit_the_requested_exponent() {
        // Clauset–Shalizi–Newman fit of the realised degrees at n = 100,000, min_degree 3. The tolerance, 0.15,
        // is the issue's. The sampling error of the exponent is (alpha - 1)/sqrt(tail), under 0.01 here, and
        // the degrees are exactly the drawn ones: over 4 seeds the fits were within 0.02 of 2.3 and 2.7 (xmin
        // 3-5). So 0.15 is loose but not vacuous: a sampler using the CCDF's exponent (a - 1) instead of a
        // would miss by about 1.
        let mut rng = stream(13, Stream::Topology);
        for exponent in [2.3, 2.7] {
            let g = configuration_model(100_000, exponent, 3, 99_999, &mut rng).expect("graphical");
            assert_simple(&g);
            let fit = powerlaw_fit(&degrees(&g)).expect("a power-law tail");
            assert!(
                (fit.exponent - exponent).abs() < 0.15,
                "exponent {exponent}: fitted {fit:?}"
            );
        }
    }

    #[test]
    fn same_seed_same_graph() {
        let build =
            |seed| configuration_model(5000, 2.2, 2, 4999, &mut stream(seed, Stream::Topology));
        assert_eq!(build(5), build(5));
        assert_ne!(build(5), build(6));
    }
}
