//! The links of the live overlay, each peer's in a cache line of its own: up to [`INLINE`] links and their count
//! in one 64-byte slot, so that the event loop fetches a peer's links with one hint and no header to read first
//! (with a `Vec` per peer, the links were one pointer away). A peer with more links keeps them all in a side list.
//!
//! Every operation keeps the order a `Vec` would (push at the end, swap-remove, take), wherever the links are
//! kept: a fan-out's order, and with it the run, depends on it.

use rustc_hash::FxHashMap;

use crate::graph::PeerId;

/// Links kept in a peer's slot; beyond, all its links move to the side list.
pub const INLINE: usize = 15;

#[derive(Clone, Copy, Default)]
#[repr(C, align(64))]
struct Slot {
    len: u32,
    links: [PeerId; INLINE],
}

pub struct LinkSlots {
    slots: Vec<Slot>,
    /// The links of peers with more than [`INLINE`] (their slot keeps only the count).
    spilled: FxHashMap<PeerId, Vec<PeerId>>,
}

impl LinkSlots {
    /// `n` peers without links (on huge pages with `--huge-pages`: the event loop reaches slots at random).
    pub fn new(n: usize) -> LinkSlots {
        LinkSlots {
            slots: crate::huge_pages::with_advice(|| vec![Slot::default(); n]),
            spilled: FxHashMap::default(),
        }
    }

    /// Peer `v`'s links, in order.
    #[inline]
    pub fn get(&self, v: PeerId) -> &[PeerId] {
        let slot = &self.slots[v as usize];
        let len = slot.len as usize;
        if len <= INLINE {
            &slot.links[..len]
        } else {
            &self.spilled[&v]
        }
    }

    #[inline]
    pub fn len(&self, v: PeerId) -> usize {
        self.slots[v as usize].len as usize
    }

    /// Hints the processor to fetch peer `v`'s slot (its links, unless it has more than [`INLINE`]).
    #[inline]
    pub fn prefetch(&self, v: PeerId) {
        if let Some(slot) = self.slots.get(v as usize) {
            crate::graph::prefetch(slot);
        }
    }

    /// Appends `w` to `v`'s links.
    pub fn push(&mut self, v: PeerId, w: PeerId) {
        let slot = &mut self.slots[v as usize];
        let len = slot.len as usize;
        if len < INLINE {
            slot.links[len] = w;
        } else if len == INLINE {
            let mut all = Vec::with_capacity(2 * INLINE);
            all.extend_from_slice(&slot.links);
            all.push(w);
            self.spilled.insert(v, all);
        } else {
            spilled_of(&mut self.spilled, v).push(w);
        }
        slot.len += 1;
    }

    /// Removes `w` from `v`'s links, if there, as `Vec::swap_remove` would (the last link takes its place).
    pub fn remove(&mut self, v: PeerId, w: PeerId) {
        let Some(k) = self.get(v).iter().position(|&x| x == w) else {
            return;
        };
        let slot = &mut self.slots[v as usize];
        let len = slot.len as usize;
        if len <= INLINE {
            slot.links[k] = slot.links[len - 1];
        } else {
            let all = spilled_of(&mut self.spilled, v);
            all.swap_remove(k);
            if all.len() == INLINE {
                slot.links.copy_from_slice(all);
                self.spilled.remove(&v);
            }
        }
        slot.len -= 1;
    }

    /// Takes all of `v`'s links, leaving it none.
    pub fn take(&mut self, v: PeerId) -> Vec<PeerId> {
        let links = match self.spilled.remove(&v) {
            Some(all) => all,
            None => self.get(v).to_vec(),
        };
        self.slots[v as usize].len = 0;
        links
    }

    #[cfg(test)]
    pub fn peers(&self) -> usize {
        self.slots.len()
    }
}

/// The side list of `v`, a peer with more than [`INLINE`] links (it has one: `push` made it when it passed them).
fn spilled_of(spilled: &mut FxHashMap<PeerId, Vec<PeerId>>, v: PeerId) -> &mut Vec<PeerId> {
    spilled
        .get_mut(&v)
        .expect("a peer past INLINE has a side list")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};
    use rand::RngExt;

    #[test]
    fn links_keep_the_order_of_a_vec_across_the_slot_and_the_side_list() {
        // Random pushes, removals and takes on 4 peers, degrees crossing INLINE both ways many times: every
        // list reads as the same operations on a `Vec` leave it.
        let mut rng = stream(7, Stream::Overlay);
        let mut slots = LinkSlots::new(4);
        let mut vecs: Vec<Vec<PeerId>> = vec![Vec::new(); 4];
        let mut crossings = 0;
        for step in 0..20_000u32 {
            let v = rng.random_range(0..4u32);
            let before = vecs[v as usize].len();
            match rng.random_range(0..100u32) {
                0 => {
                    assert_eq!(slots.take(v), std::mem::take(&mut vecs[v as usize]));
                }
                1..52 => {
                    slots.push(v, step);
                    vecs[v as usize].push(step);
                }
                _ => {
                    let list = &mut vecs[v as usize];
                    // Mostly a link it has (the first, the last or one between), sometimes one it has not.
                    let w = if list.is_empty() || rng.random_range(0..10u32) == 0 {
                        u32::MAX
                    } else {
                        list[rng.random_range(0..list.len())]
                    };
                    slots.remove(v, w);
                    if let Some(k) = list.iter().position(|&x| x == w) {
                        list.swap_remove(k);
                    }
                }
            }
            let after = vecs[v as usize].len();
            crossings += usize::from((before <= INLINE) != (after <= INLINE));
            for p in 0..4 {
                assert_eq!(slots.get(p), vecs[p as usize], "peer {p} after step {step}");
                assert_eq!(slots.len(p), vecs[p as usize].len());
            }
            let spilled = vecs.iter().filter(|l| l.len() > INLINE).count();
            assert_eq!(slots.spilled.len(), spilled, "side lists only past INLINE");
        }
        assert!(crossings > 100, "INLINE crossed {crossings} times");
    }

    #[test]
    fn with_huge_pages_the_slots_get_a_mapping_of_their_own() {
        // 600,000 peers: 38.4 MB of slots, over a huge page.
        crate::huge_pages::enable();
        let mut slots = LinkSlots::new(600_000);
        assert!(crate::huge_pages::is_mapping(slots.slots.as_ptr().cast()));
        slots.push(599_999, 3);
        assert_eq!(slots.get(599_999), &[3]);
    }

    #[test]
    fn a_slot_is_one_cache_line() {
        assert_eq!(std::mem::size_of::<Slot>(), 64);
        assert_eq!(std::mem::align_of::<Slot>(), 64);
    }
}
