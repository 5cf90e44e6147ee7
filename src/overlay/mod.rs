//! The live overlay under churn: who is online, and the links between online peers, which change as peers leave
//! (their links go) and join (they open links to peers picked uniformly among the online ones, as from a host
//! cache). With `repair`, a peer whose degree falls below `min_degree` opens links back up to `target_degree`.
//!
//! Changes depend only on the churn schedule and the overlay's own random stream, so every strategy of a
//! replication sees the same overlay at the same time (common random numbers).

mod slots;

use rand::RngExt;

use crate::graph::{Graph, PeerId};
use crate::rng::SimRng;
use slots::LinkSlots;

pub struct Overlay {
    adj: LinkSlots,
    online: Vec<bool>,
    /// Online peers, in no particular order, for uniform picks; `pos[p]` is p's index there.
    online_list: Vec<PeerId>,
    pos: Vec<u32>,
    /// Per peer, a count of its joins and leaves (it fits the engine's 16-byte service events).
    session: Vec<u32>,
    /// Per peer, its mark: (the event at which it last joined or left) << 1 | online. A peer that leaves closes its
    /// links and forgets what it knew, so state recorded under one mark is stale under any other, and a peer whose
    /// mark is no newer than an event has stayed online, with its links, since that event.
    marks: Vec<u64>,
    target_degree: u32,
    min_degree: u32,
    repair: bool,
    rng: SimRng,
}

/// Links opened by one change of the overlay.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Opened {
    pub join_links: u64,
    pub repair_links: u64,
}

impl Overlay {
    /// The generated topology with the peers offline at time 0 removed (they join later with fresh links).
    pub fn new(
        g: &Graph,
        online: &[bool],
        target_degree: u32,
        min_degree: u32,
        repair: bool,
        rng: SimRng,
    ) -> Overlay {
        let n = g.len();
        let mut adj = LinkSlots::new(n);
        for v in (0..n as PeerId).filter(|&v| online[v as usize]) {
            for &w in g.neighbours(v).iter().filter(|&&w| online[w as usize]) {
                adj.push(v, w);
            }
        }
        let mut o = Overlay {
            adj,
            online: online.to_vec(),
            online_list: Vec::new(),
            pos: vec![u32::MAX; n],
            session: vec![0; n],
            marks: online.iter().map(|&on| u64::from(on)).collect(),
            target_degree,
            min_degree,
            repair,
            rng,
        };
        for p in 0..n as PeerId {
            if online[p as usize] {
                o.pos[p as usize] = o.online_list.len() as u32;
                o.online_list.push(p);
            }
        }
        o
    }

    #[inline]
    pub fn neighbours(&self, v: PeerId) -> &[PeerId] {
        self.adj.get(v)
    }

    /// Hints the processor to fetch v's links (one line, no header to read first, for up to
    /// [`slots::INLINE`] links).
    #[inline]
    pub fn prefetch_links(&self, v: PeerId) {
        self.adj.prefetch(v);
    }

    #[inline]
    pub fn is_online(&self, v: PeerId) -> bool {
        self.online[v as usize]
    }

    /// Peer `v`'s session number: it changes each time `v` joins or leaves.
    #[inline]
    pub fn session(&self, v: PeerId) -> u32 {
        self.session[v as usize]
    }

    /// Peer `v`'s mark (see [`Overlay::marks`]): it changes each time `v` joins or leaves.
    #[inline]
    pub fn mark(&self, v: PeerId) -> u64 {
        self.marks[v as usize]
    }

    /// Whether peer `v` has been online, without leaving, since event `event` (when it last joined at or before
    /// it). Events are numbered in the order they happen and a churn event does nothing else, so this is exact.
    #[inline]
    pub fn steady_since(&self, v: PeerId, event: u64) -> bool {
        let m = self.marks[v as usize];
        m & 1 == 1 && m >> 1 <= event
    }

    /// Hints the processor to fetch peer `v`'s mark.
    #[inline]
    pub fn prefetch_mark(&self, v: PeerId) {
        if let Some(m) = self.marks.get(v as usize) {
            crate::graph::prefetch(m);
        }
    }

    pub fn online_count(&self) -> usize {
        self.online_list.len()
    }

    pub fn has_edge(&self, a: PeerId, b: PeerId) -> bool {
        self.adj.get(a).contains(&b)
    }

    /// Peer `p` goes offline at event `event`: its links go. Returns the links opened by repairs.
    pub fn leave(&mut self, p: PeerId, event: u64) -> Opened {
        if !self.online[p as usize] {
            return Opened::default();
        }
        self.online[p as usize] = false;
        self.session[p as usize] = self.session[p as usize].wrapping_add(1);
        self.marks[p as usize] = event << 1;
        let i = self.pos[p as usize] as usize;
        self.online_list.swap_remove(i);
        if let Some(&moved) = self.online_list.get(i) {
            self.pos[moved as usize] = i as u32;
        }
        self.pos[p as usize] = u32::MAX;
        let neighbours = self.adj.take(p);
        let mut opened = Opened::default();
        for &q in &neighbours {
            self.adj.remove(q, p);
        }
        if self.repair {
            for &q in &neighbours {
                if (self.adj.len(q) as u32) < self.min_degree {
                    opened.repair_links += self.open_links(q, self.target_degree);
                }
            }
        }
        opened
    }

    /// Peer `p` comes online at event `event` and opens `target_degree` links.
    pub fn join(&mut self, p: PeerId, event: u64) -> Opened {
        if self.online[p as usize] {
            return Opened::default();
        }
        self.online[p as usize] = true;
        self.session[p as usize] = self.session[p as usize].wrapping_add(1);
        self.marks[p as usize] = event << 1 | 1;
        self.pos[p as usize] = self.online_list.len() as u32;
        self.online_list.push(p);
        Opened {
            join_links: self.open_links(p, self.target_degree),
            repair_links: 0,
        }
    }

    /// Links `p` to random online peers until it has `want` links (or nobody is left to link to).
    fn open_links(&mut self, p: PeerId, want: u32) -> u64 {
        let mut opened = 0;
        let mut misses = 0;
        while (self.adj.len(p) as u32) < want {
            // Candidates: every online peer but p and its neighbours.
            let free = self.online_list.len() - 1 - self.adj.len(p);
            if free == 0 {
                break;
            }
            let q = self.online_list[self.rng.random_range(0..self.online_list.len())];
            if q == p || self.adj.get(p).contains(&q) {
                misses += 1;
                if misses > 64 {
                    // Dense corner (few online peers): pick among the free ones directly.
                    let free_peers: Vec<PeerId> = self
                        .online_list
                        .iter()
                        .copied()
                        .filter(|&x| x != p && !self.adj.get(p).contains(&x))
                        .collect();
                    let q = free_peers[self.rng.random_range(0..free_peers.len())];
                    self.link(p, q);
                    opened += 1;
                    misses = 0;
                }
                continue;
            }
            self.link(p, q);
            opened += 1;
        }
        opened
    }

    fn link(&mut self, a: PeerId, b: PeerId) {
        self.adj.push(a, b);
        self.adj.push(b, a);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};

    fn check_symmetric(o: &Overlay) {
        for v in 0..o.adj.peers() {
            let list = o.neighbours(v as PeerId);
            for &w in list {
                assert!(
                    o.online[v] && o.online[w as usize],
                    "links join online peers only"
                );
                assert!(
                    o.neighbours(w).contains(&(v as PeerId)),
                    "links are symmetric"
                );
                assert_ne!(w as usize, v);
            }
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), list.len(), "no multi-links");
        }
    }

    #[test]
    fn leaving_drops_links_and_joining_opens_target_degree() {
        let g = Graph::from_edges(6, &[(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 0), (0, 3)]);
        let mut online = vec![true; 6];
        online[5] = false;
        let mut o = Overlay::new(&g, &online, 2, 1, false, stream(1, Stream::Churn));
        assert!(o.neighbours(5).is_empty() && !o.neighbours(0).contains(&5));
        assert_eq!(o.online_count(), 5);
        o.leave(0, 1);
        assert!(o.neighbours(1) == [2] && o.neighbours(3).len() == 2);
        assert_eq!(o.online_count(), 4);
        let opened = o.join(5, 2);
        assert_eq!(opened.join_links, 2);
        assert_eq!(o.neighbours(5).len(), 2);
        check_symmetric(&o);
    }

    #[test]
    fn repair_tops_degree_back_up() {
        // Star: hub 0 with leaves 1..=5, each leaf also linked to the next. When the hub leaves, leaves 1 and 5
        // fall to degree 1 < min_degree 2 and repair back to target_degree 3.
        let mut edges: Vec<(u32, u32)> = (1..=5).map(|i| (0, i)).collect();
        edges.extend([(1, 2), (2, 3), (3, 4), (4, 5)]);
        let g = Graph::from_edges(6, &edges);
        let mut o = Overlay::new(&g, &[true; 6], 3, 2, true, stream(2, Stream::Churn));
        let opened = o.leave(0, 1);
        assert!(opened.repair_links >= 2);
        for v in 1..=5 {
            assert!(o.neighbours(v).len() >= 2, "peer {v} repaired");
        }
        check_symmetric(&o);
    }
}
