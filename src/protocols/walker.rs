//! Where a query's random walkers have been: every step in one log per query (a step writes to the end of
//! that log, which the query's other walkers keep in cache, rather than to a walker of its own), and, for a walker
//! that finds the object, its walk with loops erased, the way its hit goes back.

use super::View;
use crate::graph::PeerId;
use rustc_hash::FxHashMap;

/// Every step of a query's walkers, in the order taken: the walker and the peer it stepped onto, packed in 32
/// bits while both fit (the walker above the peer's bits), in 64 from the first step that does not.
#[derive(Default)]
pub(super) struct Steps {
    /// Bits of an entry that hold the peer.
    peer_bits: u32,
    narrow: Vec<u32>,
    /// Entries after `narrow`'s (empty unless some walker's number does not fit beside a peer in 32 bits).
    wide: Vec<u64>,
    /// Under churn (else empty): the session of each step's peer as the walker stood there, by entry. A peer
    /// that left since has forgotten the walker, and its links to the walk have closed.
    sessions: Vec<u64>,
    /// The source and, under churn, its session at the start (every walk begins there).
    source: PeerId,
    source_session: u64,
    /// Walks read back so far by a scan of the whole log.
    scans: u32,
    /// After [`SCANS`] scans: the walks, each from the source, of the steps moved out of the log at the last read
    /// (the log then holds the steps since); empty until then.
    by_walker: Vec<Walk>,
}

/// Walks a query reads back by scanning its whole log. A scan costs the log's length, so a query whose walkers
/// find often (many walkers, no checks) would pay walkers x log; after these, each read moves the log's steps to
/// walks kept walker by walker, so that the steps are read once in all. Queries that find once or twice (walkers
/// that check) never do.
const SCANS: u32 = 4;

impl Steps {
    /// The bits a peer's id needs among `peers` peers (ids below it).
    pub(super) fn peer_bits(peers: usize) -> u32 {
        usize::BITS - peers.saturating_sub(1).leading_zeros()
    }

    /// A query's log, its walks starting from `source` (ids below 2^`peer_bits`).
    pub(super) fn starting(peer_bits: u32, source: PeerId, view: View<'_>) -> Steps {
        Steps {
            peer_bits,
            source,
            source_session: view.session(source),
            ..Steps::default()
        }
    }

    /// The query's source.
    #[inline]
    pub(super) fn source(&self) -> PeerId {
        self.source
    }

    /// Walker `walker` stepped onto `v`.
    #[inline]
    pub(super) fn push(&mut self, walker: u32, v: PeerId, view: View<'_>) {
        debug_assert!(u64::from(v) >> self.peer_bits == 0, "peer {v} out of range");
        let entry = u64::from(walker) << self.peer_bits | u64::from(v);
        match u32::try_from(entry) {
            Ok(e) if self.wide.is_empty() => self.narrow.push(e),
            _ => self.wide.push(entry),
        }
        if view.churn() {
            self.sessions.push(view.session(v));
        }
    }

    /// Every step in the order taken: (walker, peer).
    pub(super) fn entries(&self) -> impl Iterator<Item = (u32, PeerId)> + '_ {
        let mask = (1u64 << self.peer_bits) - 1;
        let bits = self.peer_bits;
        self.narrow
            .iter()
            .map(|&e| u64::from(e))
            .chain(self.wide.iter().copied())
            .map(move |e| ((e >> bits) as u32, (e & mask) as PeerId))
    }

    /// Every step's peer, in no particular order.
    pub(super) fn peers(&self) -> impl Iterator<Item = PeerId> + '_ {
        let logged = self.entries().map(|(_, v)| v);
        let kept = self
            .by_walker
            .iter()
            .flat_map(|w| w.path[1..].iter().copied());
        logged.chain(kept)
    }

    /// Walker `walker`'s whole walk, from the source, with its sessions under churn: by a scan of the log for
    /// the query's first [`SCANS`] reads, then from the walks kept walker by walker.
    pub(super) fn walk_of(&mut self, walker: u32, view: View<'_>) -> Walk {
        if self.by_walker.is_empty() && self.scans < SCANS {
            self.scans += 1;
            return self.scan(walker, view);
        }
        self.split(view);
        self.grow_to(walker, view.churn());
        let kept = &self.by_walker[walker as usize];
        Walk {
            path: kept.path.clone(),
            sessions: kept.sessions.clone(),
            found_at: 0,
        }
    }

    /// Moves the log's entries to the walks kept walker by walker, and empties the log (its memory too).
    fn split(&mut self, view: View<'_>) {
        let log = Steps {
            narrow: std::mem::take(&mut self.narrow),
            wide: std::mem::take(&mut self.wide),
            sessions: std::mem::take(&mut self.sessions),
            peer_bits: self.peer_bits,
            ..Steps::default()
        };
        // One walk at least, so that the log is known split even if it was empty.
        self.grow_to(0, view.churn());
        for (w, v, session) in log.stamped(view.churn()) {
            self.grow_to(w, view.churn());
            self.by_walker[w as usize].step(v, session);
        }
    }

    /// Walks kept for walkers up to `walker`, each at the source.
    fn grow_to(&mut self, walker: u32, churn: bool) {
        while self.by_walker.len() <= walker as usize {
            self.by_walker.push(self.at_source(churn));
        }
    }

    /// Walker `walker`'s walk, by a scan of the whole log.
    fn scan(&self, walker: u32, view: View<'_>) -> Walk {
        let mut walk = self.at_source(view.churn());
        for (w, v, session) in self.stamped(view.churn()) {
            if w == walker {
                walk.step(v, session);
            }
        }
        walk
    }

    /// A walk that has not left the source (with the source's session under churn).
    fn at_source(&self, churn: bool) -> Walk {
        Walk {
            path: vec![self.source],
            sessions: if churn {
                vec![self.source_session]
            } else {
                Vec::new()
            },
            found_at: 0,
        }
    }

    /// Every step in the order taken: (walker, peer, and under churn the peer's session then).
    fn stamped(&self, churn: bool) -> impl Iterator<Item = (u32, PeerId, Option<u64>)> + '_ {
        self.entries()
            .enumerate()
            .map(move |(i, (w, v))| (w, v, churn.then(|| self.sessions[i])))
    }
}

/// A walk, from the source: every peer the walker stood on, or, once it found the object, that walk with its
/// loops erased (the way a hit goes back).
#[derive(Default)]
pub(super) struct Walk {
    pub(super) path: Vec<PeerId>,
    /// Under churn (else empty): the session of each peer of the walk when the walker stood there.
    pub(super) sessions: Vec<u64>,
    /// Steps taken when it found the object (0 while it has not: the source never answers its own query).
    pub(super) found_at: u32,
}

impl Walk {
    /// One more step, onto `v` (in `session`, under churn).
    fn step(&mut self, v: PeerId, session: Option<u64>) {
        self.path.push(v);
        self.sessions.extend(session);
    }

    /// Whether the peer at `pos` on the path is still in the session the walker saw it in.
    pub(super) fn still_there(&self, pos: usize, view: View<'_>) -> bool {
        !view.churn() || self.sessions[pos] == view.session(self.path[pos])
    }

    /// Replaces the walk by its loop erasure (chronological: each return to a peer cuts the loop since its
    /// last stay there), the path a hit takes back. Under churn a return to a peer in a later session is no
    /// return: the peer had forgotten the walker, and the loop's links back to it have closed.
    pub(super) fn erase_loops(&mut self) {
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
    fn a_peers_id_takes_the_bits_of_the_largest() {
        assert_eq!(Steps::peer_bits(0), 0);
        assert_eq!(Steps::peer_bits(1), 0);
        assert_eq!(Steps::peer_bits(2), 1);
        assert_eq!(Steps::peer_bits(3), 2);
        assert_eq!(Steps::peer_bits(100_000), 17); // 2^17 = 131,072
        assert_eq!(Steps::peer_bits(1 << 20), 20);
        assert_eq!(Steps::peer_bits((1 << 20) + 1), 21);
        assert_eq!(Steps::peer_bits(1 << 32), 32);
    }

    #[test]
    fn every_walk_reads_back_from_the_log_in_order() {
        // Three walkers from peer 5 interleave their steps; each walk reads back whole, from the source.
        let g = Graph::from_edges(50, &[]);
        let c = Content::from_holders(50, vec![vec![]], vec![1.0]);
        let added = AddedCopies::default();
        let view = View::new(&g, &c, &added, None);
        let mut log = Steps::starting(Steps::peer_bits(50), 5, view);
        log.scans = SCANS; // this test reads walks kept walker by walker; the next reads by scans
        let steps = [
            (0, 1),
            (2, 9),
            (0, 2),
            (1, 49),
            (0, 5),
            (2, 0),
            (1, 48),
            (0, 1),
        ];
        for &(w, v) in &steps {
            log.push(w, v, view);
        }
        assert_eq!(log.source(), 5);
        let mut peers: Vec<PeerId> = log.peers().collect();
        peers.sort_unstable();
        assert_eq!(peers, [0, 1, 1, 2, 5, 9, 48, 49]);
        assert_eq!(log.entries().collect::<Vec<_>>(), steps);
        assert_eq!(log.walk_of(0, view).path, vec![5, 1, 2, 5, 1]);
        assert_eq!(log.walk_of(1, view).path, vec![5, 49, 48]);
        assert_eq!(log.walk_of(2, view).path, vec![5, 9, 0]);
        assert_eq!(
            log.walk_of(3, view).path,
            vec![5],
            "a walker that never stepped"
        );
        assert!(
            log.walk_of(0, view).sessions.is_empty(),
            "no sessions without churn"
        );
        assert!(
            log.wide.is_empty(),
            "6 bits of peer and 2 of walker fit in 32"
        );
    }

    #[test]
    fn walkers_past_32_bits_go_on_in_wide_entries() {
        // 2^30 peers leave 2 bits for the walker: walkers 0-3 fit in 32 bits, walker 4 does not. From its first
        // step on, every entry is wide (walker 1's next step too), and the order holds across the two lists.
        let g = Graph::from_edges(4, &[]);
        let c = Content::from_holders(4, vec![vec![]], vec![1.0]);
        let added = AddedCopies::default();
        let view = View::new(&g, &c, &added, None);
        let big = (1 << 30) - 1;
        let mut log = Steps::starting(Steps::peer_bits(1 << 30), 0, view);
        let steps = [(1, 7), (3, big), (4, big), (1, 2), (100_000, 3), (3, 1)];
        for &(w, v) in &steps {
            log.push(w, v, view);
        }
        assert_eq!((log.narrow.len(), log.wide.len()), (2, 4));
        assert_eq!(log.entries().collect::<Vec<_>>(), steps);
        assert_eq!(log.walk_of(1, view).path, vec![0, 7, 2]);
        assert_eq!(log.walk_of(3, view).path, vec![0, big, 1]);
        assert_eq!(log.walk_of(4, view).path, vec![0, big]);
        assert_eq!(log.walk_of(100_000, view).path, vec![0, 3]);
    }

    #[test]
    fn walks_read_back_alike_from_the_log_and_walker_by_walker() {
        // Random steps of 6 walkers, entries with 30 bits of peer (walkers 4 and 5 need wide entries), walks read
        // back between steps, with and without churn (peers leaving and joining, so sessions change): every read,
        // the first SCANS by scans of the log and the rest from the walks kept walker by walker once the log is
        // split, gives the walk as the test kept it.
        use crate::overlay::Overlay;
        use crate::rng::{Stream, stream};
        use rand::RngExt;
        let n = 40;
        let g = Graph::from_edges(n, &(1..n as PeerId).map(|v| (v - 1, v)).collect::<Vec<_>>());
        let c = Content::from_holders(n as u32, vec![vec![]], vec![1.0]);
        let added = AddedCopies::default();
        let mut rng = stream(11, Stream::Protocol);
        for churn in [false, true] {
            let mut o = Overlay::new(&g, &vec![true; n], 2, 0, false, stream(1, Stream::Overlay));
            let fixed = View::new(&g, &c, &added, None);
            let start = if churn { fixed.live(Some(&o)) } else { fixed };
            let mut log = Steps::starting(30, 7, start);
            let mut kept: Vec<(Vec<PeerId>, Vec<u64>)> = (0..6)
                .map(|_| (vec![7], if churn { vec![o.mark(7)] } else { vec![] }))
                .collect();
            let (mut reads, mut event) = (0, 0);
            for _ in 0..3_000 {
                event += 1;
                if churn && rng.random_range(0..4u32) == 0 {
                    let p = rng.random_range(8..n as PeerId);
                    if o.is_online(p) {
                        o.leave(p, event);
                    } else {
                        o.join(p, event);
                    }
                }
                let view = if churn { fixed.live(Some(&o)) } else { fixed };
                let (w, v) = (rng.random_range(0..6u32), rng.random_range(0..n as PeerId));
                log.push(w, v, view);
                kept[w as usize].0.push(v);
                if churn {
                    kept[w as usize].1.push(view.session(v));
                }
                if rng.random_range(0..20u32) == 0 {
                    let r = rng.random_range(0..6u32);
                    let walk = log.walk_of(r, view);
                    assert_eq!((walk.path, walk.sessions), kept[r as usize], "read {reads}");
                    reads += 1;
                }
            }
            assert!(reads > 100 && !log.by_walker.is_empty());
            let mut peers: Vec<PeerId> = log.peers().collect();
            let mut steps: Vec<PeerId> = kept.iter().flat_map(|(p, _)| p[1..].to_vec()).collect();
            peers.sort_unstable();
            steps.sort_unstable();
            assert_eq!(peers, steps, "every step's peer once");
            // Kept walker by walker, but the steps since the last read.
            assert!(log.narrow.len() + log.wide.len() < 400);
            assert!(!churn || kept.iter().any(|(_, s)| s.iter().any(|&m| m != 1)));
        }
    }

    #[test]
    fn loop_erasure_keeps_a_simple_path() {
        let walk = |path: Vec<PeerId>, sessions: Vec<u64>| {
            let mut w = Walk {
                path,
                sessions,
                found_at: 0,
            };
            w.erase_loops();
            (w.path, w.sessions)
        };
        // 0-1-2-3-1 erases 2, 3; 1-4-5-4 erases 5.
        assert_eq!(
            walk(vec![0, 1, 2, 3, 1, 4, 5, 4, 6], vec![]),
            (vec![0, 1, 4, 6], vec![])
        );
        assert_eq!(walk(vec![0, 1, 2, 0, 3], vec![]), (vec![0, 3], vec![]));
        // A loop that closes across many steps: 0..=27, then back to 3, then 40.
        let mut long: Vec<PeerId> = (0..28).collect();
        long.extend([3, 40]);
        assert_eq!(walk(long, vec![]), (vec![0, 1, 2, 3, 40], vec![]));
        // Under churn, a return to peer 1 in a later session (2) closes no loop: 1 had forgotten the walker.
        assert_eq!(
            walk(vec![0, 1, 2, 1, 3, 2], vec![0, 0, 0, 2, 0, 0]),
            (vec![0, 1, 2], vec![0, 0, 0])
        );
        assert_eq!(
            walk(vec![0, 1, 2, 1, 3], vec![0, 0, 0, 2, 0]),
            (vec![0, 1, 2, 1, 3], vec![0, 0, 0, 2, 0])
        );
    }
}
