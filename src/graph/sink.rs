//! Where a CSR build's edges go ([`Sink`]): counted into degrees (first pass) or written into their slots
//! (second pass). Edges are taken in batches and applied partition by partition of the peers, not one at a time:
//! at 10^7 peers a random edge's degree counter and slot were each a cache and TLB miss, and the build took
//! longer than anything else outside the event loop. A partition's counters then stay in cache and its slots
//! within a few pages; partitions touch disjoint memory, so they are applied in parallel. The result does not
//! depend on the batches: counts are sums, and every list is sorted afterwards.

use rayon::prelude::*;

use super::PeerId;

/// Link ends taken before they are applied (8 bytes each, twice: the batch and its partitioned copy).
const BATCH: usize = 1 << 21;
/// At most 2^PARTS_LOG + 1 partitions of consecutive peers.
const PARTS_LOG: u32 = 10;

/// The edges of one pass of [`crate::graph::Graph::from_edge_passes`].
pub struct Sink<'a> {
    /// Counting: `ends[v + 1]` counts v's link ends. Filling: `ends[v + 1]` is v's lowest slot written so far
    /// (v's range is filled from its end down).
    ends: &'a mut [u32],
    /// Empty while counting.
    targets: &'a mut [PeerId],
    fill: bool,
    /// Peer v is in partition v >> shift.
    shift: u32,
    /// Filling: partition p's slots are `bounds[p] .. bounds[p + 1]`.
    bounds: Vec<usize>,
    /// Link ends (peer, other end) not applied yet.
    pending: Vec<(PeerId, PeerId)>,
    /// `pending` grouped by partition.
    grouped: Vec<(PeerId, PeerId)>,
}

impl<'a> Sink<'a> {
    /// A sink over `ends` (n + 1 entries: zeros to count, or each peer's end slot to fill `targets`).
    pub(super) fn new(ends: &'a mut [u32], targets: &'a mut [PeerId], fill: bool) -> Sink<'a> {
        let n = ends.len() - 1;
        let bits = usize::BITS - n.leading_zeros();
        let shift = bits.saturating_sub(PARTS_LOG);
        let parts = (n >> shift) + 1;
        // Before any slot is taken, ends[v] is the end of v - 1's range, that is v's start.
        let bounds = if fill {
            (0..=parts)
                .map(|p| ends[(p << shift).min(n)] as usize)
                .collect()
        } else {
            Vec::new()
        };
        Sink {
            ends,
            targets,
            fill,
            shift,
            bounds,
            pending: Vec::new(),
            grouped: Vec::new(),
        }
    }

    /// One undirected edge a-b (a != b).
    #[inline]
    pub fn edge(&mut self, a: PeerId, b: PeerId) {
        debug_assert!(a != b, "self-loop {a}");
        self.pending.push((a, b));
        self.pending.push((b, a));
        if self.pending.len() >= BATCH {
            self.flush();
        }
    }

    /// Applies the pending link ends.
    pub(super) fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let shift = self.shift;
        let parts = ((self.ends.len() - 1) >> shift) + 1;
        // Group by partition (a counting sort).
        let mut start = vec![0usize; parts + 1];
        for &(v, _) in &self.pending {
            start[(v >> shift) as usize + 1] += 1;
        }
        for p in 0..parts {
            start[p + 1] += start[p];
        }
        let mut next = start.clone();
        self.grouped.clear();
        self.grouped.resize(self.pending.len(), (0, 0));
        for &(v, w) in &self.pending {
            let p = (v >> shift) as usize;
            self.grouped[next[p]] = (v, w);
            next[p] += 1;
        }
        self.pending.clear();
        // Each partition with its counters (and slots): disjoint slices, applied in parallel.
        let grouped = &self.grouped;
        let counters = self.ends[1..].chunks_mut(1 << shift);
        if self.fill {
            let mut rest: &mut [PeerId] = self.targets;
            let mut slots = Vec::with_capacity(parts);
            for p in 0..parts {
                let (head, tail) = rest.split_at_mut(self.bounds[p + 1] - self.bounds[p]);
                slots.push((self.bounds[p], head));
                rest = tail;
            }
            counters
                .zip(slots)
                .enumerate()
                .collect::<Vec<_>>()
                .into_par_iter()
                .for_each(|(p, (cursor, (base, slots)))| {
                    let first = p << shift;
                    for &(v, w) in &grouped[start[p]..start[p + 1]] {
                        let c = &mut cursor[v as usize - first];
                        *c -= 1;
                        slots[*c as usize - base] = w;
                    }
                });
        } else {
            counters
                .enumerate()
                .collect::<Vec<_>>()
                .into_par_iter()
                .for_each(|(p, count)| {
                    let first = p << shift;
                    for &(v, _) in &grouped[start[p]..start[p + 1]] {
                        count[v as usize - first] += 1;
                    }
                });
        }
    }
}
