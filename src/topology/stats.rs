//! What a generated overlay looks like: degrees, connected components, clustering, distances.

use std::collections::VecDeque;

use crate::graph::{Graph, PeerId};

/// Sizes of the connected components, largest first.
pub fn component_sizes(g: &Graph) -> Vec<usize> {
    let n = g.len();
    let mut seen = vec![false; n];
    let mut sizes = Vec::new();
    let mut stack = Vec::new();
    for s in 0..n {
        if seen[s] {
            continue;
        }
        seen[s] = true;
        stack.push(s as PeerId);
        let mut size = 0;
        while let Some(v) = stack.pop() {
            size += 1;
            for &w in g.neighbours(v) {
                if !seen[w as usize] {
                    seen[w as usize] = true;
                    stack.push(w);
                }
            }
        }
        sizes.push(size);
    }
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    sizes
}

/// Share of peers in the largest connected component.
pub fn largest_component_share(g: &Graph) -> f64 {
    if g.is_empty() {
        return 0.0;
    }
    component_sizes(g).first().copied().unwrap_or(0) as f64 / g.len() as f64
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

/// Mean local clustering coefficient (Watts–Strogatz): peers of degree < 2 count as 0.
pub fn mean_clustering(g: &Graph) -> f64 {
    let n = g.len();
    if n == 0 {
        return 0.0;
    }
    let mut total = 0.0;
    for v in 0..n as PeerId {
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
    total / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
