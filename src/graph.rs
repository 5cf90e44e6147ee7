//! An undirected simple graph in compressed sparse row form: the overlay every strategy searches.
//! Neighbour lists are sorted, so two graphs with the same edges compare equal whatever built them.

/// Peer identifier: 0 .. peers-1.
pub type PeerId = u32;

mod build;
mod sink;
pub use sink::Sink;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Graph {
    /// `offsets[v] .. offsets[v + 1]` indexes `targets` for v's neighbours. Four bytes a peer: graphs have at
    /// most `u32::MAX` link ends (checked when built).
    offsets: Vec<u32>,
    targets: Vec<PeerId>,
}

impl Graph {
    /// Builds a graph from undirected edges. Every edge must join two distinct peers below `n`, and appear once
    /// (generators guarantee this; edge lists are checked before they get here).
    pub fn from_edges(n: usize, edges: &[(PeerId, PeerId)]) -> Graph {
        Graph::from_edge_passes(n, |sink| {
            for &(a, b) in edges {
                sink.edge(a, b);
            }
        })
    }

    /// Number of peers.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of undirected edges.
    pub fn edge_count(&self) -> usize {
        self.targets.len() / 2
    }

    #[inline]
    pub fn neighbours(&self, v: PeerId) -> &[PeerId] {
        let v = v as usize;
        &self.targets[self.offsets[v] as usize..self.offsets[v + 1] as usize]
    }

    #[inline]
    pub fn degree(&self, v: PeerId) -> usize {
        let v = v as usize;
        (self.offsets[v + 1] - self.offsets[v]) as usize
    }

    pub fn has_edge(&self, a: PeerId, b: PeerId) -> bool {
        self.neighbours(a).binary_search(&b).is_ok()
    }

    /// Hints the processor to fetch v's entry of the offsets (a peer about to be visited).
    #[inline]
    pub fn prefetch_offsets(&self, v: PeerId) {
        if let Some(x) = self.offsets.get(v as usize) {
            prefetch(x);
        }
    }

    /// Hints the processor to fetch v's neighbour list (reads v's offsets: prefetch those earlier).
    #[inline]
    pub fn prefetch_neighbours(&self, v: PeerId) {
        if let Some(&start) = self.offsets.get(v as usize)
            && let Some(x) = self.targets.get(start as usize)
        {
            prefetch(x);
        }
    }

    /// Each undirected edge once, as (smaller id, larger id), in increasing order.
    pub fn edges(&self) -> impl Iterator<Item = (PeerId, PeerId)> + '_ {
        (0..self.len() as PeerId).flat_map(move |a| {
            self.neighbours(a)
                .iter()
                .copied()
                .filter(move |&b| b > a)
                .map(move |b| (a, b))
        })
    }

    /// Bytes of heap memory the graph holds.
    pub fn heap_bytes(&self) -> usize {
        self.offsets.capacity() * std::mem::size_of::<u32>()
            + self.targets.capacity() * std::mem::size_of::<PeerId>()
    }
}

/// A cache prefetch hint. It never faults and has no visible effect, only speed: the event loop knows the next
/// events in its bucket and fetches their peers' data while it works on the current one (the misses are most
/// of the run time at 10^5 peers and more).
#[inline(always)]
pub fn prefetch<T>(x: &T) {
    prefetch_ptr(x as *const T);
}

/// [`prefetch`] of an address that may be no valid reference (the free slot at the end of a vector).
#[inline(always)]
pub fn prefetch_ptr<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: the instruction only hints the cache; it cannot fault, whatever the address.
    unsafe {
        core::arch::x86_64::_mm_prefetch(p as *const i8, core::arch::x86_64::_MM_HINT_T0);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn with_huge_pages_the_overlays_arrays_get_mappings_of_their_own() {
        // A path of 600,000 peers: 2.4 MB of offsets and 4.8 MB of lists, both over a huge page.
        crate::huge_pages::enable();
        let n = 600_000;
        let edges: Vec<(PeerId, PeerId)> = (0..n as PeerId - 1).map(|v| (v, v + 1)).collect();
        let g = Graph::from_edges(n, &edges);
        assert!(crate::huge_pages::is_mapping(g.offsets.as_ptr().cast()));
        assert!(crate::huge_pages::is_mapping(g.targets.as_ptr().cast()));
        assert_eq!(g.neighbours(0), &[1]);
        assert_eq!(g.neighbours(300_000), &[299_999, 300_001]);
        assert_eq!(g.neighbours(n as PeerId - 1), &[n as PeerId - 2]);
    }

    #[test]
    fn csr_holds_both_directions_sorted() {
        let g = Graph::from_edges(4, &[(2, 0), (0, 1), (3, 0)]);
        assert_eq!(g.len(), 4);
        assert_eq!(g.edge_count(), 3);
        assert_eq!(g.neighbours(0), &[1, 2, 3]);
        assert_eq!(g.neighbours(3), &[0]);
        assert!(g.has_edge(2, 0) && !g.has_edge(2, 3));
        assert_eq!(g.edges().collect::<Vec<_>>(), vec![(0, 1), (0, 2), (0, 3)]);
    }
}
