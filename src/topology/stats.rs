//! What a generated overlay looks like: degrees, connected components, clustering, distances.

use std::collections::VecDeque;

use super::components::each_component;
use crate::dist::special::hurwitz_zeta;
use crate::graph::{Graph, PeerId};

/// Sizes of the connected components, largest first.
pub fn component_sizes(g: &Graph) -> Vec<usize> {
    let mut sizes = Vec::new();
    each_component(g, |size| sizes.push(size));
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    sizes
}

/// Share of peers in the largest connected component. Runs on every world, so it keeps only the largest size.
pub fn largest_component_share(g: &Graph) -> f64 {
    if g.is_empty() {
        return 0.0;
    }
    let mut largest = 0usize;
    each_component(g, |size| largest = largest.max(size));
    largest as f64 / g.len() as f64
}

/// Hop distance from `source` to every peer (`u32::MAX` where unreachable).
pub fn bfs_distances(g: &Graph, source: PeerId) -> Vec<u32> {
    let mut dist = vec![u32::MAX; g.len()];
    let mut queue = VecDeque::new();
    dist[source as usize] = 0;
    queue.push_back(source);
    while let Some(v) = queue.pop_front() {
        let dv = dist[v as usize];
        for &w in g.neighbours(v) {
            if dist[w as usize] == u32::MAX {
                dist[w as usize] = dv + 1;
                queue.push_back(w);
            }
        }
    }
    dist
}

/// Number of peers other than `source` within `depth` hops of it.
pub fn reach_within(g: &Graph, source: PeerId, depth: u32) -> usize {
    bfs_distances(g, source)
        .iter()
        .filter(|&&d| d != 0 && d <= depth)
        .count()
}

/// Largest finite distance from `source` (its eccentricity within its component).
pub fn eccentricity(g: &Graph, source: PeerId) -> u32 {
    bfs_distances(g, source)
        .into_iter()
        .filter(|&d| d != u32::MAX)
        .max()
        .unwrap_or(0)
}

/// Triangles through each peer, counted exactly with the degree-ordered "forward" algorithm (Schank and
/// Wagner 2005): each link is oriented from the lower- to the higher-ranked end (rank = (degree, id)), and each
/// triangle is found once from its lowest-ranked corner. A peer keeps at most sqrt(2m) higher-ranked
/// neighbours, so hubs cost O(m sqrt m) in all instead of the O(k^2) pair checks per peer of the naive method.
pub fn local_triangles(g: &Graph) -> Vec<u64> {
    let n = g.len();
    let before = |a: PeerId, b: PeerId| (g.degree(a), a) < (g.degree(b), b);
    let mut offsets = Vec::with_capacity(n + 1);
    let mut out: Vec<PeerId> = Vec::with_capacity(g.edge_count());
    offsets.push(0);
    for v in 0..n as PeerId {
        out.extend(g.neighbours(v).iter().copied().filter(|&w| before(v, w)));
        offsets.push(out.len());
    }
    let higher = |v: PeerId| &out[offsets[v as usize]..offsets[v as usize + 1]];
    // mark[w] == v while w is a higher-ranked neighbour of the peer v being processed.
    let mut mark = vec![PeerId::MAX; n];
    let mut triangles = vec![0u64; n];
    for v in 0..n as PeerId {
        let hv = higher(v);
        for &w in hv {
            mark[w as usize] = v;
        }
        for &u in hv {
            for &w in higher(u) {
                if mark[w as usize] == v {
                    triangles[v as usize] += 1;
                    triangles[u as usize] += 1;
                    triangles[w as usize] += 1;
                }
            }
        }
    }
    triangles
}

/// Mean local clustering coefficient (Watts–Strogatz): peers of degree < 2 count as 0. Exact, from
/// [`local_triangles`], so it is affordable on million-peer power-law overlays.
pub fn mean_clustering(g: &Graph) -> f64 {
    let n = g.len();
    if n == 0 {
        return 0.0;
    }
    let triangles = local_triangles(g);
    let total: f64 = (0..n as PeerId)
        .map(|v| {
            let k = g.degree(v) as f64;
            if k < 2.0 {
                0.0
            } else {
                2.0 * triangles[v as usize] as f64 / (k * (k - 1.0))
            }
        })
        .sum();
    total / n as f64
}

// ---------------------------------------------------------------------------------------------------------
// Power-law fit (Clauset, Shalizi and Newman 2009, discrete case).

/// A discrete power law P(k) = k^-exponent / ζ(exponent, xmin) fitted to the values ≥ xmin.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PowerLawFit {
    pub exponent: f64,
    pub xmin: u32,
    /// Kolmogorov–Smirnov distance between the tail's empirical CDF and the fitted CDF.
    pub ks: f64,
    /// Number of values ≥ xmin.
    pub tail: usize,
}

/// Fewest values a candidate tail may hold: below this the fit is noise.
const MIN_TAIL: usize = 10;
/// Only the smallest distinct values are tried as xmin: the fits that matter have large tails, and each
/// candidate costs O(distinct values) zeta evaluations.
const MAX_CANDIDATES: usize = 100;
const ALPHA_RANGE: (f64, f64) = (1.01, 10.0);

/// Distinct values (ascending) with their counts, and suffix sums of counts and of count·ln value.
struct Tallies {
    values: Vec<u32>,
    counts: Vec<usize>,
    tail_n: Vec<usize>,
    tail_log: Vec<f64>,
}

impl Tallies {
    fn new(data: &[u32]) -> Tallies {
        let mut xs: Vec<u32> = data.iter().copied().filter(|&x| x >= 1).collect();
        xs.sort_unstable();
        let (mut values, mut counts) = (Vec::new(), Vec::new());
        for x in xs {
            match counts.last_mut() {
                Some(c) if values.last() == Some(&x) => *c += 1,
                _ => {
                    values.push(x);
                    counts.push(1);
                }
            }
        }
        let d = values.len();
        let (mut tail_n, mut tail_log) = (vec![0usize; d + 1], vec![0.0f64; d + 1]);
        for i in (0..d).rev() {
            tail_n[i] = tail_n[i + 1] + counts[i];
            tail_log[i] = tail_log[i + 1] + counts[i] as f64 * (values[i] as f64).ln();
        }
        Tallies {
            values,
            counts,
            tail_n,
            tail_log,
        }
    }
}

/// Maximises the concave log-likelihood L(a) = -n ln ζ(a, xmin) - a Σ ln x by golden-section search.
fn discrete_mle(xmin: f64, n: f64, sum_log: f64) -> f64 {
    let loglik = |a: f64| -n * hurwitz_zeta(a, xmin).ln() - a * sum_log;
    let r = (5f64.sqrt() - 1.0) / 2.0;
    let (mut lo, mut hi) = ALPHA_RANGE;
    let mut x1 = hi - r * (hi - lo);
    let mut x2 = lo + r * (hi - lo);
    let (mut f1, mut f2) = (loglik(x1), loglik(x2));
    while hi - lo > 1e-9 {
        if f1 < f2 {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + r * (hi - lo);
            f2 = loglik(x2);
        } else {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - r * (hi - lo);
            f1 = loglik(x1);
        }
    }
    (lo + hi) / 2.0
}

/// KS distance over all integers ≥ xmin between the tail (distinct values from index `first`) and the fitted
/// CDF F(x) = 1 - ζ(a, x+1)/ζ(a, xmin). The empirical CDF is flat between observed values while F rises, so
/// the supremum is reached at an observed value or just before the next one.
fn ks_distance(t: &Tallies, first: usize, alpha: f64) -> f64 {
    let xmin = t.values[first] as f64;
    let z = hurwitz_zeta(alpha, xmin);
    let model = |x: f64| 1.0 - hurwitz_zeta(alpha, x + 1.0) / z;
    let n = t.tail_n[first] as f64;
    let mut seen = 0usize;
    let mut worst = 0.0f64;
    for i in first..t.values.len() {
        let x = t.values[i] as f64;
        // Just before x: the empirical CDF still has its previous value.
        if i > first && t.values[i - 1] + 1 < t.values[i] {
            worst = worst.max((seen as f64 / n - model(x - 1.0)).abs());
        }
        seen += t.counts[i];
        worst = worst.max((seen as f64 / n - model(x)).abs());
    }
    worst
}

/// Clauset–Shalizi–Newman fit of a discrete power law to positive integer data (zeros are ignored): for each
/// candidate xmin (the 100 smallest distinct values whose tail holds at least 10 values and two distinct
/// values), the exact discrete maximum-likelihood exponent in [1.01, 10]; the xmin whose fit has the smallest
/// KS distance wins. Candidates whose likelihood peaks at an end of that range are skipped (no power law
/// there). None when no candidate qualifies.
pub fn powerlaw_fit(data: &[u32]) -> Option<PowerLawFit> {
    let t = Tallies::new(data);
    let d = t.values.len();
    let mut best: Option<PowerLawFit> = None;
    for first in 0..d.min(MAX_CANDIDATES) {
        let n = t.tail_n[first];
        if n < MIN_TAIL || d - first < 2 {
            break;
        }
        let xmin = t.values[first];
        let alpha = discrete_mle(xmin as f64, n as f64, t.tail_log[first]);
        if alpha - ALPHA_RANGE.0 < 1e-6 || ALPHA_RANGE.1 - alpha < 1e-6 {
            // The likelihood peaks at the edge of the range: not a power law there (e.g. a regular tail).
            continue;
        }
        let ks = ks_distance(&t, first, alpha);
        if best.is_none_or(|b| ks < b.ks) {
            best = Some(PowerLawFit {
                exponent: alpha,
                xmin,
                ks,
                tail: n,
            });
        }
    }
    best
}

// ---------------------------------------------------------------------------------------------------------
// Summary of a whole overlay.

/// The numbers `gnutsim` reports about an overlay.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphStats {
    pub peers: usize,
    pub edges: usize,
    pub mean_degree: f64,
    pub max_degree: usize,
    pub min_degree: usize,
    pub components: usize,
    pub largest_component_share: f64,
    pub clustering: f64,
    pub powerlaw: Option<PowerLawFit>,
}

impl GraphStats {
    pub fn compute(g: &Graph) -> GraphStats {
        let n = g.len();
        let degrees: Vec<u32> = (0..n as PeerId).map(|v| g.degree(v) as u32).collect();
        let sizes = component_sizes(g);
        GraphStats {
            peers: n,
            edges: g.edge_count(),
            mean_degree: if n == 0 {
                0.0
            } else {
                2.0 * g.edge_count() as f64 / n as f64
            },
            max_degree: degrees.iter().copied().max().unwrap_or(0) as usize,
            min_degree: degrees.iter().copied().min().unwrap_or(0) as usize,
            components: sizes.len(),
            largest_component_share: if n == 0 {
                0.0
            } else {
                sizes.first().copied().unwrap_or(0) as f64 / n as f64
            },
            clustering: mean_clustering(g),
            powerlaw: powerlaw_fit(&degrees),
        }
    }

    /// `key: value` pairs in a fixed order; the power-law values are empty when there is no fit.
    pub fn lines(&self) -> Vec<(String, String)> {
        let fit = self.powerlaw;
        let pairs = [
            ("peers", self.peers.to_string()),
            ("edges", self.edges.to_string()),
            ("mean_degree", float6(self.mean_degree)),
            ("min_degree", self.min_degree.to_string()),
            ("max_degree", self.max_degree.to_string()),
            ("components", self.components.to_string()),
            (
                "largest_component_share",
                float6(self.largest_component_share),
            ),
            ("clustering", float6(self.clustering)),
            (
                "powerlaw_exponent",
                fit.map(|f| float6(f.exponent)).unwrap_or_default(),
            ),
            (
                "powerlaw_xmin",
                fit.map(|f| f.xmin.to_string()).unwrap_or_default(),
            ),
        ];
        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }
}

/// At most 6 decimals, trailing zeros dropped (8.000000 -> "8").
fn float6(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};
    use crate::topology::barabasi_albert::barabasi_albert;
    use crate::topology::powerlaw::configuration_model;
    use crate::topology::random::erdos_renyi;

    #[test]
    fn hand_built_graph_statistics() {
        // A triangle 0-1-2 with a tail 2-3, and an isolated pair 4-5.
        let g = Graph::from_edges(6, &[(0, 1), (1, 2), (0, 2), (2, 3), (4, 5)]);
        assert_eq!(component_sizes(&g), vec![4, 2]);
        assert!((largest_component_share(&g) - 4.0 / 6.0).abs() < 1e-12);
        assert_eq!(bfs_distances(&g, 0)[3], 2);
        assert_eq!(bfs_distances(&g, 0)[4], u32::MAX);
        assert_eq!(reach_within(&g, 3, 1), 1);
        assert_eq!(eccentricity(&g, 3), 2);
        // Local clustering: 0 -> 1, 1 -> 1, 2 -> 1/3, 3,4,5 -> 0; mean (2 + 1/3) / 6.
        assert!((mean_clustering(&g) - (2.0 + 1.0 / 3.0) / 6.0).abs() < 1e-12);
    }

    /// The naive O(k^2) clustering, as an oracle for the triangle-counting one.
    fn naive_clustering(g: &Graph) -> f64 {
        let mut total = 0.0;
        for v in 0..g.len() as PeerId {
            let nb = g.neighbours(v);
            let k = nb.len();
            if k < 2 {
                continue;
            }
            let mut links = 0usize;
            for (i, &a) in nb.iter().enumerate() {
                for &b in &nb[i + 1..] {
                    if g.has_edge(a, b) {
                        links += 1;
                    }
                }
            }
            total += 2.0 * links as f64 / (k * (k - 1)) as f64;
        }
        total / g.len() as f64
    }

    #[test]
    fn triangle_counting_matches_the_naive_count() {
        // Same integer triangle counts, same formula, same summation order: equal to rounding.
        let mut rng = stream(21, Stream::Topology);
        let graphs = [
            erdos_renyi(2000, 12.0, &mut rng),
            barabasi_albert(2000, 4, &mut rng),
            configuration_model(2000, 2.2, 2, 1999, &mut rng).expect("graphical"),
        ];
        for g in &graphs {
            assert!((mean_clustering(g) - naive_clustering(g)).abs() < 1e-12);
        }
        // Complete graph K_7: every peer is in C(6, 2) = 15 triangles, clustering 1.
        let edges: Vec<_> = (0..7u32)
            .flat_map(|a| (a + 1..7).map(move |b| (a, b)))
            .collect();
        let k7 = Graph::from_edges(7, &edges);
        assert_eq!(local_triangles(&k7), vec![15; 7]);
        assert_eq!(mean_clustering(&k7), 1.0);
    }

    /// Devroye's (1986, p. 551) rejection sampler for the Zipf law P(k) = k^-a / ζ(a), k ≥ 1: exact, and
    /// independent of the zeta code under test.
    fn zipf(a: f64, rng: &mut crate::rng::SimRng) -> u32 {
        use rand::RngExt;
        let b = 2f64.powf(a - 1.0);
        loop {
            let u = 1.0 - rng.random::<f64>();
            let v = rng.random::<f64>();
            let x = u.powf(-1.0 / (a - 1.0)).floor();
            if x >= u32::MAX as f64 {
                continue;
            }
            let t = (1.0 + 1.0 / x).powf(a - 1.0);
            if v * x * (t - 1.0) / (b - 1.0) <= t / b {
                return x as u32;
            }
        }
    }

    #[test]
    fn powerlaw_fit_recovers_an_exact_discrete_power_law() {
        // 50,000 draws with alpha = 2.5, xmin = 1. The MLE's standard error is (alpha - 1)/sqrt(n) = 0.007 at
        // xmin = 1 and stays under 0.02 for any xmin the KS step plausibly picks (tails of 5,000+); 0.05 is
        // the tolerance.
        let mut rng = stream(22, Stream::Topology);
        let data: Vec<u32> = (0..50_000).map(|_| zipf(2.5, &mut rng)).collect();
        let fit = powerlaw_fit(&data).expect("a fit");
        assert!((fit.exponent - 2.5).abs() < 0.05, "{fit:?}");
        assert!(fit.tail >= 10 && fit.ks < 0.05, "{fit:?}");
        // No fit without a tail of 10 values holding two distinct values.
        assert_eq!(powerlaw_fit(&[3; 100]), None);
        assert_eq!(powerlaw_fit(&[1, 2, 3, 4, 5, 6, 7, 8, 9]), None);
        assert_eq!(powerlaw_fit(&[]), None);
        // Degrees 8 and 9 only (a near-regular overlay): the likelihood keeps rising towards alpha = 10.
        let flat: Vec<u32> = (0..1000).map(|i| 8 + (i % 10 == 0) as u32).collect();
        assert_eq!(powerlaw_fit(&flat), None);
    }

    #[test]
    fn discrete_mle_is_exact_on_a_two_point_sample() {
        // Values {1, 2} once each, xmin = 1: dL/da = 0 gives ζ'(a)/ζ(a) = -ln 2 / 2; check the optimality
        // condition by a central difference of ln ζ (an independent route to the same equation).
        let a = discrete_mle(1.0, 2.0, 2f64.ln());
        let h = 1e-5;
        let dlog = (hurwitz_zeta(a + h, 1.0).ln() - hurwitz_zeta(a - h, 1.0).ln()) / (2.0 * h);
        assert!(
            (dlog + 2f64.ln() / 2.0).abs() < 1e-6,
            "a = {a}, d ln ζ = {dlog}"
        );
    }

    /// Root of S = 1 - exp(-c S) by fixed-point iteration from S = 1 (converges for c > 1).
    fn giant_share(c: f64) -> f64 {
        let mut s = 1.0;
        for _ in 0..10_000 {
            s = 1.0 - (-c * s).exp();
        }
        s
    }

    #[test]
    fn erdos_renyi_giant_component_matches_theory() {
        // Tolerances from the giant component's central limit theorem: in G(n, p) the share's variance is
        // S(1-S) / (n (1 - c(1-S))^2); G(n, m) fixes the link count, which removes the part due to its
        // fluctuation. At n = 20,000 that gives standard deviations of about 0.003 (c = 2) and 0.001 (c = 4);
        // 40 seeds measured 0.0024 and 0.0008. So 0.01 and 0.005 are 4 and 6 sigma; the O(1/n) finite-size
        // bias is negligible.
        assert!((giant_share(2.0) - 0.7968).abs() < 1e-4);
        assert!((giant_share(4.0) - 0.9802).abs() < 1e-4);
        let mut rng = stream(23, Stream::Topology);
        for (c, tol) in [(2.0, 0.01), (4.0, 0.005)] {
            let g = erdos_renyi(20_000, c, &mut rng);
            let share = largest_component_share(&g);
            assert!((share - giant_share(c)).abs() < tol, "c = {c}: {share}");
        }
    }

    #[test]
    fn graph_stats_of_a_hand_built_graph() {
        // The graph of the first test: triangle 0-1-2, tail 2-3, pair 4-5. Degrees 2,2,3,1,1,1: too few for
        // a power-law fit, so those values are empty.
        let g = Graph::from_edges(6, &[(0, 1), (1, 2), (0, 2), (2, 3), (4, 5)]);
        let s = GraphStats::compute(&g);
        let lines: Vec<String> = s.lines().iter().map(|(k, v)| format!("{k}: {v}")).collect();
        assert_eq!(
            lines,
            [
                "peers: 6",
                "edges: 5",
                "mean_degree: 1.666667",
                "min_degree: 1",
                "max_degree: 3",
                "components: 2",
                "largest_component_share: 0.666667",
                "clustering: 0.388889",
                "powerlaw_exponent: ",
                "powerlaw_xmin: ",
            ]
        );
        assert_eq!(float6(8.0), "8");
        assert_eq!(float6(-0.0000001), "0");
        assert_eq!(float6(2.5), "2.5");
        let empty = GraphStats::compute(&Graph::from_edges(0, &[]));
        assert_eq!(
            (empty.peers, empty.components, empty.mean_degree),
            (0, 0, 0.0)
        );
    }
}
