//! Compressed-sparse-row construction in place: the edges are produced twice by the caller (a slice read twice,
//! or a random stream replayed from a copy of its state), once to count degrees and once to write each end into
//! its slot. No edge list and no second copy of the adjacency exist at any time, so building a graph takes the
//! memory of the graph itself (the largest overlays are limited by memory, and the edge list was as large again).

use rayon::prelude::*;

use super::sink::Sink;
use super::{Graph, PeerId};

impl Graph {
    /// Builds the graph of the edges `pass` gives to its sink. `pass` is called twice and must give the same
    /// edges both times (in any order). Neighbour lists come out sorted; an edge given twice appears twice
    /// (callers that may repeat edges remove the copies with [`Graph::replace_edges`]).
    ///
    /// Panics when the graph has more than `u32::MAX` link ends (2^31 links): offsets are 4 bytes a peer.
    pub fn from_edge_passes(n: usize, mut pass: impl FnMut(&mut Sink)) -> Graph {
        // Offsets and lists on huge pages, with `--huge-pages`: the event loop reaches them at random.
        let mut offsets = crate::huge_pages::with_advice(|| vec![0u32; n + 1]);
        let mut sink = Sink::new(&mut offsets, &mut [], false);
        pass(&mut sink);
        sink.flush();
        let mut total = 0u64;
        for o in offsets.iter_mut().skip(1) {
            total += u64::from(*o);
            *o = u32::try_from(total).unwrap_or_else(|_| {
                panic!(
                    "an overlay of more than {} link ends (2^31 links)",
                    u32::MAX
                )
            });
        }
        let mut targets = crate::huge_pages::with_advice(|| vec![0 as PeerId; total as usize]);
        let mut sink = Sink::new(&mut offsets, &mut targets, true);
        pass(&mut sink);
        sink.flush();
        // Each cursor ended at its peer's start: offsets[v + 1] = start of v. Shift down, and close.
        offsets.copy_within(1..=n, 0);
        offsets[n] = total as u32;
        debug_assert!(
            offsets.windows(2).all(|w| w[0] <= w[1]),
            "every edge given twice"
        );
        let mut g = Graph { offsets, targets };
        g.sort_lists();
        g
    }

    /// Sorts every neighbour list, in parallel over blocks of peers (the order of equal values does not matter).
    fn sort_lists(&mut self) {
        const BLOCK: usize = 1 << 14;
        let n = self.len();
        let offsets = &self.offsets;
        let mut blocks = Vec::with_capacity(n.div_ceil(BLOCK));
        let mut rest: &mut [PeerId] = &mut self.targets;
        for first in (0..n).step_by(BLOCK) {
            let last = (first + BLOCK).min(n);
            let (head, tail) = rest.split_at_mut((offsets[last] - offsets[first]) as usize);
            blocks.push((first, last, head));
            rest = tail;
        }
        blocks.into_par_iter().for_each(|(first, last, slice)| {
            let base = offsets[first];
            for v in first..last {
                slice[(offsets[v] - base) as usize..(offsets[v + 1] - base) as usize]
                    .sort_unstable();
            }
        });
    }

    /// Edges given more than once, as (smaller id, larger id, extra copies), in increasing order.
    pub fn repeated_edges(&self) -> Vec<(PeerId, PeerId, u32)> {
        let mut out = Vec::new();
        for a in 0..self.len() as PeerId {
            let list = self.neighbours(a);
            let mut i = 1;
            while i < list.len() {
                if list[i] == list[i - 1] {
                    let b = list[i];
                    let mut copies = 0;
                    while i < list.len() && list[i] == b {
                        copies += 1;
                        i += 1;
                    }
                    if b > a {
                        out.push((a, b, copies));
                    }
                } else {
                    i += 1;
                }
            }
        }
        out
    }

    /// Removes `remove` (each (a, b, copies): that many copies of a-b) and adds the links `add`, in place. As many
    /// links must be added as removed, so the adjacency keeps its length: only the lists between changed peers
    /// move, as whole runs, and the changed peers' new lists are put together aside.
    pub fn replace_edges(&mut self, remove: &[(PeerId, PeerId, u32)], add: &[(PeerId, PeerId)]) {
        let removed: u32 = remove.iter().map(|r| r.2).sum();
        assert_eq!(
            removed as usize,
            add.len(),
            "the adjacency keeps its length"
        );
        if add.is_empty() {
            return;
        }
        // The changed peers' new lists, with their growth: every end removed or added, grouped by peer
        // ((peer, other end, added?), removals first).
        let mut ends: Vec<(PeerId, bool, PeerId)> = Vec::with_capacity(4 * add.len());
        for &(a, b, copies) in remove {
            for _ in 0..copies {
                ends.extend([(a, false, b), (b, false, a)]);
            }
        }
        for &(a, b) in add {
            ends.extend([(a, true, b), (b, true, a)]);
        }
        ends.sort_unstable();
        let mut changed: Vec<(usize, i64, Vec<PeerId>)> = Vec::new();
        for group in ends.chunk_by(|x, y| x.0 == y.0) {
            let v = group[0].0;
            let mut list = self.neighbours(v).to_vec();
            for &(_, added, other) in group {
                if added {
                    list.push(other);
                } else {
                    let at = list.binary_search(&other).expect("a removed link is there");
                    list.remove(at);
                }
            }
            list.sort_unstable();
            let growth = list.len() as i64 - self.degree(v) as i64;
            changed.push((v as usize, growth, list));
        }
        // Runs of unchanged peers between changed ones, each shifted by the growth of the changed peers before
        // it: (first peer, end peer, shift).
        let n = self.len();
        let mut runs: Vec<(usize, usize, i64)> = Vec::with_capacity(changed.len() + 1);
        let mut shift = 0i64;
        let mut first = 0usize;
        for &(v, growth, _) in &changed {
            runs.push((first, v, shift));
            shift += growth;
            first = v + 1;
        }
        runs.push((first, n, shift));
        debug_assert_eq!(shift, 0);
        // Runs moving left go first, from the left; then runs moving right, from the right: neither overwrites
        // a run not moved yet (the changed peers' old lists, which runs may cover, were copied above).
        let offsets = &self.offsets;
        let targets = &mut self.targets;
        let mut move_run = |&(a, b, s): &(usize, usize, i64)| {
            let (from, to) = (offsets[a] as usize, offsets[b] as usize);
            targets.copy_within(from..to, (from as i64 + s) as usize);
        };
        runs.iter().filter(|r| r.2 < 0).for_each(&mut move_run);
        runs.iter()
            .rev()
            .filter(|r| r.2 > 0)
            .for_each(&mut move_run);
        // The changed peers' lists at their new starts, then the offsets: a peer's start moves by the growth of
        // the changed peers below it.
        let mut shift = 0i64;
        let mut next = 0usize;
        for (v, growth, list) in &changed {
            let start = (self.offsets[*v] as i64 + shift) as usize;
            self.targets[start..start + list.len()].copy_from_slice(list);
            for o in &mut self.offsets[next..=*v] {
                *o = (*o as i64 + shift) as u32;
            }
            shift += growth;
            next = v + 1;
        }
    }
}
