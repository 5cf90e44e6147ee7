//! The connected components of an overlay, found depth first with bounded memory.
//!
//! The search runs on every world, beside the event loop (runs.csv's `largest_component_share`), so its memory
//! adds to the run's peak. Peers found but not yet visited wait on a stack; on a random overlay that stack grows
//! to a large share of the peers (32 MB at 10^7 peers, docs/performance.md "Speed round 2"). So the stack is
//! bounded, and the peers that do not fit wait in a bitset, swept for more work whenever the stack runs out:
//! a component's size does not depend on the order its peers are visited in.

use crate::bits;
use crate::graph::{Graph, PeerId};

/// Most peers waiting on the stack (256 kB); the rest wait in a bitset of a bit a peer.
const STACK_CAP: usize = 1 << 16;

/// Calls `f` with the size of each connected component, from each unseen peer in id order. Seen peers are marked
/// in a bitset (a bit a peer, more of it in cache than a flag a byte).
pub fn each_component(g: &Graph, f: impl FnMut(usize)) {
    each_component_capped(g, STACK_CAP, f);
}

/// [`each_component`] with at most `cap` peers on the stack.
fn each_component_capped(g: &Graph, cap: usize, mut f: impl FnMut(usize)) {
    let n = g.len();
    let words = n.div_ceil(64);
    let mut seen = vec![0u64; words];
    let mut waiting = Waiting::default();
    let mut stack: Vec<PeerId> = Vec::new();
    for s in 0..n {
        if !bits::set_new(&mut seen, s) {
            continue;
        }
        stack.push(s as PeerId);
        let mut size = 0;
        loop {
            while let Some(v) = stack.pop() {
                size += 1;
                for &w in g.neighbours(v) {
                    if bits::set_new(&mut seen, w as usize) {
                        if stack.len() < cap {
                            stack.push(w);
                        } else {
                            waiting.add(w, words);
                        }
                    }
                }
            }
            if waiting.count == 0 {
                break;
            }
            waiting.take_into(&mut stack, cap.div_ceil(2));
        }
        f(size);
    }
}

/// Peers found that did not fit on the stack.
#[derive(Default)]
struct Waiting {
    /// A bit a peer (allocated when a peer first waits).
    bits: Vec<u64>,
    count: usize,
    /// The word the next sweep starts from: sweeps go round the bitset.
    cursor: usize,
}

impl Waiting {
    #[cold]
    fn add(&mut self, v: PeerId, words: usize) {
        if self.bits.is_empty() {
            self.bits = vec![0; words];
        }
        bits::set(&mut self.bits, v as usize);
        self.count += 1;
    }

    /// Moves waiting peers onto `stack` until it holds `fill` or none wait (`count` > 0).
    fn take_into(&mut self, stack: &mut Vec<PeerId>, fill: usize) {
        while self.count > 0 && stack.len() < fill.max(1) {
            let word = &mut self.bits[self.cursor];
            while *word != 0 && stack.len() < fill.max(1) {
                let b = word.trailing_zeros();
                *word &= *word - 1;
                stack.push((self.cursor * 64) as PeerId + b);
                self.count -= 1;
            }
            if *word == 0 {
                self.cursor = (self.cursor + 1) % self.bits.len();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};
    use crate::topology::random::erdos_renyi;

    fn sizes(g: &Graph, cap: usize) -> Vec<usize> {
        let mut out = Vec::new();
        each_component_capped(g, cap, |s| out.push(s));
        out
    }

    #[test]
    fn a_bounded_stack_finds_the_same_components() {
        // Sparse random graphs (many components, one large) and a long path: every cap gives the sizes an
        // unbounded stack gives, in the same order.
        let mut graphs = vec![Graph::from_edges(
            500,
            &(0..499).map(|i| (i, i + 1)).collect::<Vec<_>>(),
        )];
        for (seed, degree) in [(1, 1.2), (2, 2.0), (3, 8.0)] {
            graphs.push(erdos_renyi(
                3000,
                degree,
                &mut stream(seed, Stream::Topology),
            ));
        }
        for g in &graphs {
            let want = sizes(g, usize::MAX);
            assert_eq!(want.iter().sum::<usize>(), g.len());
            for cap in [1, 2, 7, 64] {
                assert_eq!(sizes(g, cap), want, "cap {cap}");
            }
        }
    }
}
