//! A random walker's state: where it has been (its path, the last steps kept in the walker's own cache line)
//! and, once it finds the object, the way back with its loops erased.

use super::View;
use crate::graph::PeerId;
use rustc_hash::FxHashMap;

/// Steps a walker keeps in its own first cache line before it moves them to its path: a step then writes to the
/// walker, which the event loop fetches ahead, rather than to the end of its path, a second line far away.
pub(super) const RECENT: usize = 9;

/// A walker: the header of its path and its last steps in one cache line (`repr(C)` keeps them there), the
/// rest (churn's sessions, the step count of a find) in the next.
#[derive(Default)]
#[repr(C, align(64))]
pub(super) struct Walker {
    /// Every peer the walker stood on, from the source, but the last `recent_len` (in `recent`); once it finds
    /// the object, the loop-erased path (whole).
    pub(super) path: Vec<PeerId>,
    pub(super) recent_len: u32,
    pub(super) recent: [PeerId; RECENT],
    /// Under churn (else empty): the session of each peer of the walk when the walker stood there. A peer that
    /// left since has forgotten the walker, and its links to the path have closed.
    pub(super) sessions: Vec<u64>,
    /// Steps taken when it found the object (0 while it has not: the source never answers its own query).
    pub(super) found_at: u32,
}

impl Walker {
    pub(super) fn reset(&mut self, source: PeerId, view: View<'_>) {
        self.path.clear();
        self.recent_len = 0;
        self.sessions.clear();
        self.found_at = 0;
        self.visit(source, view);
    }

    /// Moves to `v`. Loops are erased only when the walk finds the object (rarely), not at every step.
    #[inline]
    pub(super) fn visit(&mut self, v: PeerId, view: View<'_>) {
        if self.recent_len as usize == RECENT {
            self.path.extend_from_slice(&self.recent);
            self.recent_len = 0;
        }
        self.recent[self.recent_len as usize] = v;
        self.recent_len += 1;
        if view.churn() {
            self.sessions.push(view.session(v));
        }
    }

    /// Moves the last steps to the path, which then holds the whole walk.
    pub(super) fn flush(&mut self) {
        self.path
            .extend_from_slice(&self.recent[..self.recent_len as usize]);
        self.recent_len = 0;
    }

    /// The peer the walker stands on.
    #[inline]
    pub(super) fn position(&self) -> Option<PeerId> {
        match self.recent_len {
            0 => self.path.last().copied(),
            n => Some(self.recent[n as usize - 1]),
        }
    }

    /// Whether the peer at `pos` on the path (flushed) is still in the session the walker saw it in.
    pub(super) fn still_there(&self, pos: usize, view: View<'_>) -> bool {
        !view.churn() || self.sessions[pos] == view.session(self.path[pos])
    }

    /// Replaces the walk by its loop erasure (chronological: each return to a peer cuts the loop since its
    /// last stay there), the path a hit takes back. Under churn a return to a peer in a later session is no
    /// return: the peer had forgotten the walker, and the loop's links back to it have closed.
    pub(super) fn erase_loops(&mut self) {
        self.flush();
        let session = |i: usize| self.sessions.get(i).copied().unwrap_or(0);
        let mut index: FxHashMap<(PeerId, u64), usize> = FxHashMap::default();
        let mut erased: Vec<(PeerId, u64)> = Vec::with_capacity(self.path.len());
        for (i, &v) in self.path.iter().enumerate() {
            let key = (v, session(i));
            match index.get(&key) {
                Some(&i) => {
                    for p in erased.drain(i + 1..) {
                        index.remove(&p);
                    }
                }
                None => {
                    index.insert(key, erased.len());
                    erased.push(key);
                }
            }
        }
        let stamped = !self.sessions.is_empty();
        self.path = erased.iter().map(|&(v, _)| v).collect();
        if stamped {
            self.sessions = erased.iter().map(|&(_, s)| s).collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{AddedCopies, Content};
    use crate::graph::Graph;

    #[test]
    fn a_walkers_last_steps_reach_its_path_in_order() {
        // More steps than the walker keeps beside its path: every prefix of the walk reads back whole, and the
        // walker stands where it stepped last.
        let g = Graph::from_edges(50, &[]);
        let c = Content::from_holders(50, vec![vec![]], vec![1.0]);
        let added = AddedCopies::default();
        let view = View::new(&g, &c, &added, None);
        let mut w = Walker::default();
        w.reset(0, view);
        let mut walk = vec![0];
        for v in 1..3 * RECENT as PeerId + 2 {
            w.visit(v, view);
            walk.push(v);
            assert_eq!(w.position(), Some(v));
            let mut copy = Walker {
                path: w.path.clone(),
                recent_len: w.recent_len,
                recent: w.recent,
                ..Walker::default()
            };
            copy.flush();
            assert_eq!(copy.path, walk);
            assert_eq!(copy.position(), Some(v));
        }
        // A loop that closes across the kept steps: 0..=27, then back to 3, then 40.
        w.visit(3, view);
        w.visit(40, view);
        w.erase_loops();
        assert_eq!(w.path, vec![0, 1, 2, 3, 40]);
        assert_eq!(std::mem::size_of::<Walker>(), 128);
    }

    #[test]
    fn loop_erasure_keeps_a_simple_path() {
        let g = Graph::from_edges(7, &[]);
        let c = Content::from_holders(7, vec![vec![]], vec![1.0]);
        let added = AddedCopies::default();
        let view = View::new(&g, &c, &added, None);
        let mut w = Walker::default();
        w.reset(0, view);
        for v in [1, 2, 3, 1, 4, 5, 4, 6] {
            w.visit(v, view);
        }
        w.erase_loops();
        // 0-1-2-3-1 erases 2, 3; 1-4-5-4 erases 5.
        assert_eq!(w.path, vec![0, 1, 4, 6]);
        assert!(w.sessions.is_empty(), "no sessions without churn");
        w.reset(0, view);
        for v in [1, 2, 0, 3] {
            w.visit(v, view);
        }
        w.erase_loops();
        assert_eq!(w.path, vec![0, 3]);
        // Under churn, a return to peer 1 in a later session (2) closes no loop: 1 had forgotten the walker.
        w.path = vec![0, 1, 2, 1, 3, 2];
        w.sessions = vec![0, 0, 0, 2, 0, 0];
        w.erase_loops();
        assert_eq!(w.path, vec![0, 1, 2]);
        assert_eq!(w.sessions, vec![0, 0, 0]);
        w.path = vec![0, 1, 2, 1, 3];
        w.sessions = vec![0, 0, 0, 2, 0];
        w.erase_loops();
        assert_eq!(w.path, vec![0, 1, 2, 1, 3]);
        assert_eq!(w.sessions, vec![0, 0, 0, 2, 0]);
    }
}
