//! Per-query routing state: which peers have seen a query and from which neighbour it first came.
//!
//! It is the hot path of flooding (one lookup per message), and its memory grows with the peers a query reaches.
//! A query starts with a hash map, which costs memory in proportion to its reach; once it has reached a sizeable
//! share of the network it moves to dense arrays indexed by peer, which are several times faster per lookup. The dense form keeps "seen" in a bitset apart from the
//! predecessors: a duplicate (half of a flood's messages) then touches only the bitset, which stays in cache
//! (12.5 kB at 10^5 peers), instead of a line of the predecessor array. Dense tables are recycled between
//! queries (clearing a bitset is cheap; predecessors are only read where the bit is set), and only queries that
//! flood widely at the same time hold one.
//!
//! Under churn a peer that leaves forgets every query it saw, and its links close. Rather than visit every
//! query's table when a peer leaves, a table remembers the event that started it: a peer that has stayed online
//! since then has no stale entry, and neither have its links. Only for the few peers that joined or left while
//! the query ran does an entry record the sessions ([`View::session`]) its peer and its predecessor were in: an
//! entry of an earlier session of its peer is forgotten (the peer takes the query as new), and one whose
//! predecessor has left since leads over a closed link. (Recording sessions for every entry cost a hash insert
//! per first copy, measured.) Without churn nothing is recorded.

use std::collections::hash_map::Entry;

use rustc_hash::{FxHashMap, FxHashSet};

use super::View;
use crate::graph::PeerId;

/// Spare dense storage shared by the queries of one run, and the size at which a query's state goes dense.
pub struct RoutePool {
    peers: usize,
    threshold: usize,
    /// Cleared "seen" bitsets.
    spare_bits: Vec<Vec<u64>>,
    /// Predecessor arrays (never cleared: only read where the bit is set).
    spare_preds: Vec<Vec<PeerId>>,
}

impl RoutePool {
    pub fn new(peers: usize) -> RoutePool {
        RoutePool {
            peers,
            threshold: (peers / 64).max(256),
            spare_bits: Vec::new(),
            spare_preds: Vec::new(),
        }
    }

    /// A cleared "seen" bitset, recycled if one is spare.
    fn take_bits(&mut self) -> Vec<u64> {
        self.spare_bits
            .pop()
            .unwrap_or_else(|| vec![0; self.peers.div_ceil(64)])
    }

    /// Clears `bits` and keeps it for the next query that goes dense.
    fn give_bits(&mut self, mut bits: Vec<u64>) {
        bits.iter_mut().for_each(|w| *w = 0);
        self.spare_bits.push(bits);
    }
}

/// Under churn, what a query's table knows of the sessions of the peers it holds (see the module doc).
#[derive(Default)]
struct Sessions {
    /// The event that started the table: peers that have stayed online since have no stale entry.
    since: u64,
    /// Sessions recorded for the entries of peers (or predecessors) that joined or left since `since`.
    recorded: FxHashMap<PeerId, Stamp>,
}

impl Sessions {
    fn new(view: View<'_>) -> Sessions {
        Sessions {
            since: view.event(),
            recorded: FxHashMap::default(),
        }
    }

    /// Whether the entry of `v` (which has one) is of `v`'s current session.
    #[inline]
    fn own_current(&self, v: PeerId, view: View<'_>) -> bool {
        view.steady_since(v, self.since)
            || self
                .recorded
                .get(&v)
                .is_some_and(|s| s.own == view.session(v))
    }

    /// Whether `v`'s predecessor `pred` is in the session it was in when `v`'s entry was made (so the link they
    /// shared then still stands).
    #[inline]
    fn pred_current(&self, v: PeerId, pred: PeerId, view: View<'_>) -> bool {
        view.steady_since(pred, self.since)
            || self
                .recorded
                .get(&v)
                .is_some_and(|s| s.pred == view.session(pred))
    }

    /// An entry for `v` from `pred` is made now: its sessions are recorded unless both have stayed since the table
    /// started (`always`: record anyway).
    #[inline]
    fn made(&mut self, v: PeerId, pred: PeerId, view: View<'_>, always: bool) {
        if always || !view.steady_since(v, self.since) || !view.steady_since(pred, self.since) {
            self.recorded.insert(
                v,
                Stamp {
                    own: view.session(v),
                    pred: view.session(pred),
                },
            );
        }
    }
}

/// Whether `v`'s bit is set in a dense "seen" bitset.
#[inline]
fn has_bit(bits: &[u64], v: PeerId) -> bool {
    bits[v as usize >> 6] & (1 << (v & 63)) != 0
}

/// Sets `v`'s bit; true if it was not set yet.
#[inline]
fn set_new_bit(bits: &mut [u64], v: PeerId) -> bool {
    let (w, b) = (v as usize >> 6, 1u64 << (v & 63));
    let new = bits[w] & b == 0;
    bits[w] |= b;
    new
}

/// Which peers a query has seen. Sparse while small; past the pool's threshold a bitset (one bit per peer:
/// 12.5 kB at 10^5 peers, so a duplicate's check stays in cache, and long walks can keep many queries alive at
/// once).
#[derive(Default)]
pub struct Visited {
    sparse: FxHashSet<PeerId>,
    bits: Option<Vec<u64>>,
    /// Distinct peers marked.
    len: usize,
    /// Under churn (set by [`Visited::start`]). Boxed, so that a table without churn stays small.
    sessions: Option<Box<Sessions>>,
}

impl Visited {
    /// Starts the set for a query (after [`Visited::clear`]): under churn it remembers the event.
    pub fn start(&mut self, view: View<'_>) {
        self.sessions = view.churn().then(|| Box::new(Sessions::new(view)));
    }

    /// A visit to `v`: true if `v` had not seen the query (in its current session, under churn).
    #[inline]
    pub fn visit(&mut self, v: PeerId, view: View<'_>, pool: &mut RoutePool) -> bool {
        let first = self.insert(v, pool);
        let Some(sessions) = &mut self.sessions else {
            return first;
        };
        if first {
            sessions.made(v, v, view, false);
            return true;
        }
        if sessions.own_current(v, view) {
            return false;
        }
        // A visit in a later session: the peer had forgotten the query (it is still one peer reached).
        sessions.made(v, v, view, true);
        true
    }

    /// Marks `v` seen; true if it was not yet.
    #[inline]
    pub fn insert(&mut self, v: PeerId, pool: &mut RoutePool) -> bool {
        if let Some(bits) = &mut self.bits {
            if !set_new_bit(bits, v) {
                return false;
            }
            self.len += 1;
            return true;
        }
        if !self.sparse.insert(v) {
            return false;
        }
        self.len += 1;
        if self.len >= pool.threshold {
            let mut bits = pool.take_bits();
            for &k in &self.sparse {
                set_new_bit(&mut bits, k);
            }
            self.sparse = FxHashSet::default();
            self.bits = Some(bits);
        }
        true
    }

    #[inline]
    pub fn contains(&self, v: PeerId) -> bool {
        match &self.bits {
            Some(bits) => has_bit(bits, v),
            None => self.sparse.contains(&v),
        }
    }

    /// Hints the processor to fetch `v`'s word of a dense set (many walks at once keep megabytes of sets).
    #[inline]
    pub fn prefetch(&self, v: PeerId) {
        if let Some(word) = self.bits.as_ref().and_then(|b| b.get(v as usize >> 6)) {
            crate::graph::prefetch(word);
        }
    }

    /// Whether `v` is marked in its current session (under churn, a peer that left since forgot the query).
    #[inline]
    pub fn holds_now(&self, v: PeerId, view: View<'_>) -> bool {
        self.contains(v)
            && self
                .sessions
                .as_ref()
                .is_none_or(|s| s.own_current(v, view))
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets every peer, returning any bitset (cleared) to the pool.
    pub fn clear(&mut self, pool: &mut RoutePool) {
        if let Some(bits) = self.bits.take() {
            pool.give_bits(bits);
        }
        self.sparse.clear();
        self.sessions = None;
        self.len = 0;
    }
}

/// The routing table of one query: the peers that have seen it (it is also the duplicate filter) and, for each,
/// the neighbour it first came from. Sparse, one hash map serves as both (two tables cost two hash inserts per
/// new peer, measured: a share of the run time under churn, where floods stay small); dense, a seen bitset, apart
/// from the predecessors so that a duplicate touches only the bitset.
#[derive(Default)]
pub struct Routes {
    sparse: FxHashMap<PeerId, PeerId>,
    dense: Option<Dense>,
    /// Distinct peers with an entry.
    len: usize,
    /// Under churn (set by [`Routes::start`]). Boxed, so that a table without churn stays small.
    sessions: Option<Box<Sessions>>,
}

/// The sessions of an entry's peer and of its predecessor when the entry was made.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Stamp {
    own: u64,
    pred: u64,
}

/// Where a hit at a peer goes next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// To the neighbour the peer first got the query from.
    Next(PeerId),
    /// Nowhere: the peer does not know the query (it left since it saw it), or the link to its predecessor
    /// closed (the predecessor left since). The hit is lost.
    Broken,
}

struct Dense {
    seen: Vec<u64>,
    /// Only read where the seen bit is set (recycled without clearing).
    preds: Vec<PeerId>,
    /// Under churn a set bit may be of an earlier session of its peer. Here beside the bits it qualifies, the
    /// known-duplicate check reads it with them.
    churn: bool,
}

impl Routes {
    /// Whether `v` has seen the query, as far as a dense table tells (false while sparse, and under churn, where
    /// the entry may be of an earlier session of `v`, which has forgotten the query since): a cheap hint.
    #[inline]
    pub fn seen_dense(&self, v: PeerId) -> bool {
        self.dense
            .as_ref()
            .is_some_and(|d| !d.churn && has_bit(&d.seen, v))
    }

    /// Starts the table for a query (after [`Routes::clear`]): under churn it remembers the event.
    pub fn start(&mut self, view: View<'_>) {
        self.sessions = view.churn().then(|| Box::new(Sessions::new(view)));
    }

    /// Peer `v` receives the query from `pred`: true (and recorded) if it is `v`'s first copy, in its current
    /// session under churn; false for a duplicate.
    #[inline]
    pub fn receive(
        &mut self,
        v: PeerId,
        pred: PeerId,
        view: View<'_>,
        pool: &mut RoutePool,
    ) -> bool {
        if self.sessions.is_none() {
            return self.insert_new(v, pred, pool);
        }
        self.receive_in_session(v, pred, view, pool)
    }

    /// [`Routes::receive`] under churn.
    #[inline(never)]
    pub fn receive_in_session(
        &mut self,
        v: PeerId,
        pred: PeerId,
        view: View<'_>,
        pool: &mut RoutePool,
    ) -> bool {
        let first = self.insert_new(v, pred, pool);
        let Some(sessions) = &mut self.sessions else {
            return first;
        };
        if first {
            sessions.made(v, pred, view, false);
            return true;
        }
        if sessions.own_current(v, view) {
            return false;
        }
        // `v` left since it saw the query, and forgot it: this is its first copy again (it is still one peer that
        // has seen the query).
        sessions.made(v, pred, view, true);
        self.redirect(v, pred);
        true
    }

    /// Where a hit that reached `v` goes next.
    #[inline]
    pub fn route(&self, v: PeerId, view: View<'_>) -> Route {
        let Some(pred) = self.get(v) else {
            return Route::Broken;
        };
        let alive = self
            .sessions
            .as_ref()
            .is_none_or(|s| s.own_current(v, view) && (v == pred || s.pred_current(v, pred, view)));
        // Neither end left since the query passed, so the link it came over still stands.
        debug_assert!(!alive || v == pred || view.linked(v, pred));
        if alive {
            Route::Next(pred)
        } else {
            Route::Broken
        }
    }

    /// Hints the processor to fetch `v`'s predecessor entry of a dense table where `v` has not seen the query:
    /// the entry its first copy will write (a miss per new peer at 10^6 peers).
    #[inline]
    pub fn prefetch_pred(&self, v: PeerId) {
        if let Some(d) = &self.dense
            && !has_bit(&d.seen, v)
            && let Some(p) = d.preds.get(v as usize)
        {
            crate::graph::prefetch(p);
        }
    }

    /// Points `v`'s entry (which it has) at `pred` instead: a peer that took the query again in a later session,
    /// or an announce's request redirected from a peer now gone.
    #[inline]
    pub fn redirect(&mut self, v: PeerId, pred: PeerId) {
        match &mut self.dense {
            Some(d) => d.preds[v as usize] = pred,
            None => {
                self.sparse.insert(v, pred);
            }
        }
    }

    /// The neighbour `v` first received the query from, if it has seen it.
    #[inline]
    pub fn get(&self, v: PeerId) -> Option<PeerId> {
        match &self.dense {
            Some(d) => has_bit(&d.seen, v).then(|| d.preds[v as usize]),
            None => self.sparse.get(&v).copied(),
        }
    }

    /// Records that `v` first got the query from `pred`; false (and no change) if `v` had already seen it.
    #[inline]
    pub fn insert_new(&mut self, v: PeerId, pred: PeerId, pool: &mut RoutePool) -> bool {
        if let Some(d) = &mut self.dense {
            if !set_new_bit(&mut d.seen, v) {
                return false;
            }
            d.preds[v as usize] = pred;
            self.len += 1;
            return true;
        }
        self.insert_sparse(v, pred, pool)
    }

    /// [`Routes::insert_new`] while sparse: kept out of line so that the dense path stays small.
    #[inline(never)]
    fn insert_sparse(&mut self, v: PeerId, pred: PeerId, pool: &mut RoutePool) -> bool {
        match self.sparse.entry(v) {
            Entry::Occupied(_) => return false,
            Entry::Vacant(e) => {
                e.insert(pred);
            }
        }
        self.len += 1;
        if self.len >= pool.threshold {
            self.go_dense(pool);
        }
        true
    }

    /// Moves a table that reached the pool's threshold to dense storage.
    #[cold]
    fn go_dense(&mut self, pool: &mut RoutePool) {
        let mut seen = pool.take_bits();
        let mut preds = pool
            .spare_preds
            .pop()
            .unwrap_or_else(|| vec![0; pool.peers]);
        for (&k, &p) in &self.sparse {
            set_new_bit(&mut seen, k);
            preds[k as usize] = p;
        }
        self.sparse = FxHashMap::default();
        self.dense = Some(Dense {
            seen,
            preds,
            churn: self.sessions.is_some(),
        });
    }

    /// Peers that have seen the query (the source included).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets the query, returning any dense storage to the pool.
    pub fn clear(&mut self, pool: &mut RoutePool) {
        if let Some(Dense { seen, preds, .. }) = self.dense.take() {
            pool.give_bits(seen);
            pool.spare_preds.push(preds);
        }
        self.sparse.clear();
        self.sessions = None;
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_and_dense_agree_across_reuse() {
        let mut pool = RoutePool::new(10_000);
        assert_eq!(pool.threshold, 256);
        let mut r = Routes::default();
        for round in 0..3u32 {
            for v in 0..1000u32 {
                assert!(r.insert_new(v * 7, v + round, &mut pool));
                assert!(
                    !r.insert_new(v * 7, 0, &mut pool),
                    "second insert is a duplicate"
                );
            }
            assert!(r.dense.is_some(), "promoted past the threshold");
            assert_eq!(r.len(), 1000);
            for v in 0..1000u32 {
                assert_eq!(r.get(v * 7), Some(v + round));
                assert_eq!(r.get(v * 7 + 1), None);
            }
            r.clear(&mut pool);
            assert_eq!(r.get(7), None, "a reused dense table starts empty");
            assert!(r.is_empty());
        }
        assert_eq!(pool.spare_preds.len(), 1, "one dense table, recycled");
    }

    #[test]
    fn visited_sets_count_distinct_peers_sparse_and_dense() {
        let mut pool = RoutePool::new(10_000);
        let mut v = Visited::default();
        for round in 0..2 {
            for p in 0..2000u32 {
                assert!(v.insert(p * 3, &mut pool));
                assert!(!v.insert(p * 3, &mut pool));
            }
            assert_eq!(v.len(), 2000, "round {round}");
            assert!(v.bits.is_some());
            v.clear(&mut pool);
            assert!(v.is_empty());
        }
        assert!(!pool.spare_bits.is_empty());
    }

    #[test]
    fn under_churn_a_returning_peer_forgets_and_links_to_a_peer_that_left_close() {
        use crate::content::{AddedCopies, Content};
        use crate::graph::Graph;
        use crate::overlay::Overlay;
        use crate::rng::{Stream, stream};
        // Triangle 0-1-2. Peer 1 gets the query from 0, peer 2 from 1.
        let g = Graph::from_edges(3, &[(0, 1), (1, 2), (0, 2)]);
        let c = Content::from_holders(3, vec![vec![]], vec![1.0]);
        let added = AddedCopies::default();
        let mut o = Overlay::new(&g, &[true; 3], 2, 1, false, stream(1, Stream::Overlay));
        for (round, dense_from) in [usize::MAX, 0].into_iter().enumerate() {
            // Events numbered on from round to round, as in a run.
            let event = 10 * round as u64 + 10;
            let mut pool = RoutePool::new(3);
            pool.threshold = dense_from.max(1);
            let mut r = Routes::default();
            let view = View::new(&g, &c, &added, None)
                .live(Some(&o))
                .at_event(event);
            r.start(view);
            assert!(r.receive(0, 0, view, &mut pool));
            assert!(r.receive(1, 0, view, &mut pool));
            assert!(r.receive(2, 1, view, &mut pool));
            assert!(!r.receive(1, 2, view, &mut pool), "a duplicate");
            assert_eq!(r.route(2, view), Route::Next(1));
            // Peer 1 leaves and comes back (linking to 0 and 2 again).
            o.leave(1, event + 1);
            o.join(1, event + 2);
            let view = View::new(&g, &c, &added, None)
                .live(Some(&o))
                .at_event(event + 3);
            assert!(view.linked(2, 1), "linked again, over a new link");
            assert_eq!(r.route(2, view), Route::Broken, "2's link to 1 closed");
            assert_eq!(r.route(1, view), Route::Broken, "1 forgot the query");
            assert!(r.receive(1, 2, view, &mut pool), "1 takes it as new");
            assert_eq!(r.route(1, view), Route::Next(2));
            assert!(!r.receive(1, 0, view, &mut pool));
            assert_eq!(r.len(), 3, "peers that have seen the query: 0, 1, 2");
            r.clear(&mut pool);
        }
    }
}
