//! The predecessors of a dense routing table: for each peer that has seen a query, the neighbour it first got the
//! query from.
//!
//! On a static overlay a predecessor takes one byte a peer instead of a four-byte peer id, which is what lets two
//! floods that span 10^7 peers fit in the memory budget (docs/performance.md, "Speed round 2"). A
//! predecessor is always the peer itself (a query's source) or one of its neighbours, and most peers' neighbours
//! differ in the low byte of their ids, together with the peer's own: there the low byte of the predecessor's id
//! names it, and is stored as it comes, without a look at the neighbour list (a search per first copy cost 6% of
//! the flood's instructions, measured). For the few "crowded" peers, where two of them share a low byte (about one
//! in eight at mean degree 8, and every peer of degree 255 or more), the byte is the predecessor's position in
//! the sorted neighbour list, or a mark for the peer itself, or a mark for a side map (positions past the byte).
//! A hit going back reads the neighbour list. Under churn neighbour lists change while a query runs, so there the
//! table keeps peer ids.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::Links;
use crate::bits;
use crate::graph::PeerId;

/// Slot value at a crowded peer: the peer is its own predecessor (the query's source).
const SELF: u8 = u8::MAX;
/// Slot value at a crowded peer: the predecessor is in the side map. Slots below it are positions.
const FAR: u8 = u8::MAX - 1;

/// A dense table's predecessors, indexed by peer. Slots are only meaningful where the table's seen bit is set
/// (tables are recycled without clearing them).
pub enum Preds {
    /// Static overlay: a byte a peer.
    Bytes {
        slots: Vec<u8>,
        /// The crowded peers (see the module doc): a bit a peer, shared by the tables of a run.
        crowded: Arc<[u64]>,
        /// Predecessors of crowded peers whose slot is [`FAR`].
        far: FxHashMap<PeerId, PeerId>,
    },
    /// Live overlay (churn): peer ids.
    Ids(Vec<PeerId>),
}

impl Preds {
    /// Storage for `peers` peers under churn, or on a static overlay with its crowded peers.
    pub fn new(peers: usize, crowded: Option<Arc<[u64]>>) -> Preds {
        match crowded {
            Some(crowded) => Preds::Bytes {
                slots: vec![0; peers],
                crowded,
                far: FxHashMap::default(),
            },
            None => Preds::Ids(vec![0; peers]),
        }
    }

    /// Whether this storage suits `links` (a spare table is reused only for the same kind of overlay).
    pub fn suits(&self, links: Links<'_>) -> bool {
        matches!(self, Preds::Ids(_)) == links.live()
    }

    /// Records that `v` first got the query from `pred` (`v` itself or one of its neighbours).
    #[inline]
    pub fn set(&mut self, v: PeerId, pred: PeerId, links: Links<'_>) {
        match self {
            Preds::Ids(ids) => ids[v as usize] = pred,
            Preds::Bytes {
                slots,
                crowded,
                far,
            } => {
                slots[v as usize] = if bits::has(crowded, v as usize) {
                    crowded_slot(v, pred, links.neighbours(v), far)
                } else {
                    pred as u8
                };
            }
        }
    }

    /// `v`'s predecessor (`v` must have an entry).
    #[inline]
    pub fn get(&self, v: PeerId, links: Links<'_>) -> PeerId {
        match self {
            Preds::Ids(ids) => ids[v as usize],
            Preds::Bytes {
                slots,
                crowded,
                far,
            } => {
                let slot = slots[v as usize];
                if !bits::has(crowded, v as usize) {
                    // The one neighbour with that low byte, or else the peer itself.
                    return links
                        .neighbours(v)
                        .iter()
                        .copied()
                        .find(|&w| w as u8 == slot)
                        .unwrap_or(v);
                }
                match slot {
                    SELF => v,
                    FAR => far[&v],
                    i => links.neighbours(v)[i as usize],
                }
            }
        }
    }

    /// Hints the processor to fetch what recording `v`'s predecessor reads and writes.
    #[inline]
    pub fn prefetch(&self, v: PeerId) {
        match self {
            Preds::Ids(ids) => {
                if let Some(p) = ids.get(v as usize) {
                    crate::graph::prefetch(p);
                }
            }
            Preds::Bytes { slots, crowded, .. } => {
                // The crowded bit too: at 10^7 peers it is not in cache, and a first copy reads it.
                if let (Some(p), Some(c)) = (slots.get(v as usize), crowded.get(v as usize >> 6)) {
                    crate::graph::prefetch(p);
                    crate::graph::prefetch(c);
                }
            }
        }
    }

    /// Forgets the side map's entries (the slots are left as they are) before the storage is reused.
    pub fn recycle(&mut self) {
        if let Preds::Bytes { far, .. } = self {
            far.clear();
        }
    }
}

/// The slot of a crowded peer `v` whose predecessor is `pred`.
#[cold]
#[inline(never)]
fn crowded_slot(
    v: PeerId,
    pred: PeerId,
    neighbours: &[PeerId],
    far: &mut FxHashMap<PeerId, PeerId>,
) -> u8 {
    if v == pred {
        return SELF;
    }
    // Most lists are short: a scan costs fewer instructions than a binary search there.
    let at = if neighbours.len() <= 16 {
        neighbours.iter().position(|&w| w == pred)
    } else {
        neighbours.binary_search(&pred).ok()
    };
    match at {
        Some(i) if i < FAR as usize => i as u8,
        _ => {
            far.insert(v, pred);
            FAR
        }
    }
}

/// The crowded peers of the first `peers` of an overlay, a bit a peer: those that share the low byte of their id
/// with one of their neighbours, or whose neighbours share one.
pub fn crowded(peers: u32, links: Links<'_>) -> Vec<u64> {
    let mut crowded = vec![0u64; (peers as usize).div_ceil(64)];
    for v in 0..peers {
        let mut bytes = [0u64; 4];
        let mut clash = false;
        for w in std::iter::once(v).chain(links.neighbours(v).iter().copied()) {
            clash |= !bits::set_new(&mut bytes, w as u8 as usize);
        }
        if clash {
            bits::set(&mut crowded, v as usize);
        }
    }
    crowded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Graph;

    #[test]
    fn every_predecessor_round_trips_through_its_byte() {
        // A hub of degree 600 (positions past the byte), peers whose neighbours share a low byte (1: 2 and 258;
        // 3: itself and 259) and peers where the low byte is enough (2, 4).
        let mut edges: Vec<(PeerId, PeerId)> = (1..=600).map(|i| (0, i)).collect();
        edges.extend([(1, 2), (1, 258), (3, 259), (4, 5), (2, 7)]);
        let g = Graph::from_edges(601, &edges);
        let view = Links::Static(&g);
        let crowd: Arc<[u64]> = crowded(601, view).into();
        for (v, want) in [
            (0, true),
            (1, true),
            (3, true),
            (2, false),
            (4, false),
            (259, true),
        ] {
            assert_eq!(bits::has(&crowd, v as usize), want, "peer {v}");
        }
        let mut p = Preds::new(601, Some(crowd));
        assert!(p.suits(view));
        // Every peer from itself and from each of its neighbours.
        for v in 0..601 {
            for pred in std::iter::once(v).chain(g.neighbours(v).iter().copied()) {
                p.set(v, pred, view);
                assert_eq!(p.get(v, view), pred, "{v} from {pred}");
            }
        }
        let Preds::Bytes { slots, far, .. } = &p else {
            panic!("a static overlay stores bytes");
        };
        assert_eq!(slots[0], FAR, "the hub's last neighbour is past the byte");
        assert_eq!(far.get(&0), Some(&600));
        // A slot overwritten after a side-map entry reads the slot, not the stale entry.
        p.set(0, 5, view);
        assert_eq!(p.get(0, view), 5);
        p.recycle();
        let Preds::Bytes { far, .. } = &p else {
            unreachable!()
        };
        assert!(far.is_empty());
    }

    #[test]
    fn a_live_overlay_keeps_peer_ids() {
        use crate::overlay::Overlay;
        use crate::rng::{Stream, stream};
        let g = Graph::from_edges(3, &[(0, 1), (1, 2)]);
        let o = Overlay::new(&g, &[true; 3], 2, 1, false, stream(1, Stream::Overlay));
        let view = Links::Live(&o);
        let mut p = Preds::new(3, None);
        assert!(p.suits(view));
        assert!(!p.suits(Links::Static(&g)));
        p.set(2, 0, view);
        assert_eq!(p.get(2, view), 0);
    }
}
