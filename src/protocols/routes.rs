//! Per-query routing state: which peers have seen a query and from which neighbour it first came.
//!
//! It is the hot path of flooding (one lookup per message), and its memory grows with the peers a query reaches.
//! A query starts with a hash map, which costs memory in proportion to its reach; once it has reached a sizeable
//! share of the network it moves to dense arrays indexed by peer, which are several times faster per lookup. The dense form keeps "seen" in a bitset apart from the
//! predecessors: a duplicate (half of a flood's messages) then touches only the bitset, which stays in cache
//! (12.5 kB at 10^5 peers), instead of a line of the predecessor array. The predecessors take a byte a peer on a
//! static overlay ([`Preds`]). Dense tables are recycled between
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
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use super::preds::{self, Preds};
use super::{Links, View};
use crate::bits;
use crate::graph::PeerId;

/// Spare dense storage shared by the queries of one run, and the size at which a query's state goes dense.
pub struct RoutePool {
    peers: usize,
    threshold: usize,
    /// Cleared "seen" bitsets.
    spare_bits: Vec<Vec<u64>>,
    /// Predecessor storage (never cleared: only read where the bit is set).
    spare_preds: Vec<Preds>,
    /// The static overlay's crowded peers ([`preds::crowded`]), found when a first table goes dense.
    crowded: Option<Arc<[u64]>>,
}

impl RoutePool {
    pub fn new(peers: usize) -> RoutePool {
        RoutePool {
            peers,
            threshold: (peers / 64).max(256),
            spare_bits: Vec::new(),
            spare_preds: Vec::new(),
            crowded: None,
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

    /// Predecessor storage for `links`, recycled if a spare one suits them.
    fn take_preds(&mut self, links: Links<'_>) -> Preds {
        if let Some(i) = self.spare_preds.iter().rposition(|p| p.suits(links)) {
            return self.spare_preds.swap_remove(i);
        }
        if links.live() {
            return Preds::new(self.peers, None);
        }
        let peers = self.peers as u32;
        let crowded = self
            .crowded
            .get_or_insert_with(|| preds::crowded(peers, links).into());
        Preds::new(self.peers, Some(crowded.clone()))
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
            if !bits::set_new(bits, v as usize) {
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
                bits::set_new(&mut bits, k as usize);
            }
            self.sparse = FxHashSet::default();
            self.bits = Some(bits);
        }
        true
    }

    #[inline]
    pub fn contains(&self, v: PeerId) -> bool {
        match &self.bits {
            Some(bits) => bits::has(bits, v as usize),
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
    preds: Preds,
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
            .is_some_and(|d| !d.churn && bits::has(&d.seen, v as usize))
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
            return self.insert_new(v, pred, view, pool);
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
        let first = self.insert_new(v, pred, view, pool);
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
        self.redirect(v, pred, view);
        true
    }

    /// Where a hit that reached `v` goes next.
    #[inline]
    pub fn route(&self, v: PeerId, view: View<'_>) -> Route {
        let Some(pred) = self.get(v, view) else {
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
            && !bits::has(&d.seen, v as usize)
        {
            d.preds.prefetch(v);
        }
    }

    /// Points `v`'s entry (which it has) at `pred` instead: a peer that took the query again in a later session,
    /// or an announce's request redirected from a peer now gone.
    #[inline]
    pub fn redirect(&mut self, v: PeerId, pred: PeerId, view: View<'_>) {
        match &mut self.dense {
            Some(d) => d.preds.set(v, pred, view.links()),
            None => {
                self.sparse.insert(v, pred);
            }
        }
    }

    /// The neighbour `v` first received the query from, if it has seen it.
    #[inline]
    pub fn get(&self, v: PeerId, view: View<'_>) -> Option<PeerId> {
        match &self.dense {
            Some(d) => bits::has(&d.seen, v as usize).then(|| d.preds.get(v, view.links())),
            None => self.sparse.get(&v).copied(),
        }
    }

    /// Records that `v` first got the query from `pred`; false (and no change) if `v` had already seen it.
    #[inline]
    pub fn insert_new(
        &mut self,
        v: PeerId,
        pred: PeerId,
        view: View<'_>,
        pool: &mut RoutePool,
    ) -> bool {
        if let Some(d) = &mut self.dense {
            if !bits::set_new(&mut d.seen, v as usize) {
                return false;
            }
            d.preds.set(v, pred, view.links());
            self.len += 1;
            return true;
        }
        self.insert_sparse(v, pred, view.links(), pool)
    }

    /// [`Routes::insert_new`] while sparse: kept out of line so that the dense path stays small (it takes the
    /// links alone, in registers: a whole view was built on the stack for every first copy, measured).
    #[inline(never)]
    fn insert_sparse(
        &mut self,
        v: PeerId,
        pred: PeerId,
        links: Links<'_>,
        pool: &mut RoutePool,
    ) -> bool {
        match self.sparse.entry(v) {
            Entry::Occupied(_) => return false,
            Entry::Vacant(e) => {
                e.insert(pred);
            }
        }
        self.len += 1;
        if self.len >= pool.threshold {
            self.go_dense(links, pool);
        }
        true
    }

    /// Moves a table that reached the pool's threshold to dense storage.
    #[cold]
    fn go_dense(&mut self, links: Links<'_>, pool: &mut RoutePool) {
        let mut seen = pool.take_bits();
        let mut preds = pool.take_preds(links);
        for (&k, &p) in &self.sparse {
            bits::set_new(&mut seen, k as usize);
            preds.set(k, p, links);
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
        if let Some(Dense {
            seen, mut preds, ..
        }) = self.dense.take()
        {
            pool.give_bits(seen);
            preds.recycle();
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

    use crate::content::{AddedCopies, Content};
    use crate::graph::Graph;

    #[test]
    fn sparse_and_dense_agree_across_reuse() {
        // Peer 7v is linked to v, v + 1 and v + 2: every predecessor below is a neighbour (or, for peer 0 in the
        // first round, the peer itself), as in a run.
        let edges: Vec<(PeerId, PeerId)> = (0..1000u32)
            .flat_map(|v| (0..3).map(move |k| (v * 7, v + k)))
            .filter(|&(a, b)| a != b)
            .map(|(a, b)| (a.min(b), a.max(b)))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let g = Graph::from_edges(10_000, &edges);
        let c = Content::from_holders(10_000, vec![vec![]], vec![1.0]);
        let added = AddedCopies::default();
        let view = View::new(&g, &c, &added, None);
        let mut pool = RoutePool::new(10_000);
        assert_eq!(pool.threshold, 256);
        let mut r = Routes::default();
        for round in 0..3u32 {
            for v in 0..1000u32 {
                assert!(r.insert_new(v * 7, v + round, view, &mut pool));
                assert!(
                    !r.insert_new(v * 7, 0, view, &mut pool),
                    "second insert is a duplicate"
                );
            }
            assert!(r.dense.is_some(), "promoted past the threshold");
            assert_eq!(r.len(), 1000);
            for v in 0..1000u32 {
                assert_eq!(r.get(v * 7, view), Some(v + round));
                assert_eq!(r.get(v * 7 + 1, view), None);
            }
            r.clear(&mut pool);
            assert_eq!(r.get(7, view), None, "a reused dense table starts empty");
            assert!(r.is_empty());
        }
        assert_eq!(pool.spare_preds.len(), 1, "one dense table, recycled");
    }

    #[test]
    fn hit_routes_by_position_are_those_by_peer_id() {
        use crate::overlay::Overlay;
        use crate::rng::{Stream, stream};
        use rand::{RngExt, SeedableRng};
        // A random overlay with a hub of degree 600 (positions past a byte). The same first receipts go into a
        // table over the static graph (positions) and one over the same links live (peer ids); every peer's
        // route must be the same in both, sparse and dense.
        let n = 3000u32;
        let mut rng = rand_pcg::Pcg64::seed_from_u64(5);
        let mut pairs = std::collections::BTreeSet::new();
        for v in 1..600 {
            pairs.insert((0, v));
        }
        while pairs.len() < 12_000 {
            let (a, b) = (rng.random_range(0..n), rng.random_range(0..n));
            if a != b {
                pairs.insert((a.min(b), a.max(b)));
            }
        }
        let g = Graph::from_edges(n as usize, &pairs.into_iter().collect::<Vec<_>>());
        let c = Content::from_holders(n, vec![vec![]], vec![1.0]);
        let added = AddedCopies::default();
        let o = Overlay::new(
            &g,
            &vec![true; n as usize],
            8,
            0,
            false,
            stream(1, Stream::Overlay),
        );
        let fixed = View::new(&g, &c, &added, None);
        let live = fixed.live(Some(&o));
        for source in [0, 1, 2999] {
            let (mut by_pos, mut by_id) = (Routes::default(), Routes::default());
            let (mut pool_pos, mut pool_id) =
                (RoutePool::new(n as usize), RoutePool::new(n as usize));
            // Breadth first from the source, in a shuffled order: every peer's first copy comes from a neighbour.
            let mut front = vec![source];
            by_pos.insert_new(source, source, fixed, &mut pool_pos);
            by_id.insert_new(source, source, live, &mut pool_id);
            while !front.is_empty() {
                let mut next = Vec::new();
                for &u in &front {
                    let mut nbs = g.neighbours(u).to_vec();
                    let turn = rng.random_range(0..nbs.len().max(1));
                    nbs.rotate_left(turn);
                    for w in nbs {
                        let a = by_pos.insert_new(w, u, fixed, &mut pool_pos);
                        assert_eq!(a, by_id.insert_new(w, u, live, &mut pool_id));
                        if a {
                            next.push(w);
                        }
                    }
                }
                front = next;
            }
            assert!(by_pos.len() > 2000);
            assert!(matches!(
                by_pos.dense.as_ref().map(|d| &d.preds),
                Some(Preds::Bytes { .. })
            ));
            assert!(matches!(
                by_id.dense.as_ref().map(|d| &d.preds),
                Some(Preds::Ids(_))
            ));
            for v in 0..n {
                assert_eq!(by_pos.get(v, fixed), by_id.get(v, live), "peer {v}");
                assert_eq!(by_pos.route(v, fixed), by_id.route(v, fixed), "peer {v}");
            }
        }
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
