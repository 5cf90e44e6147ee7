//! Objects, their copies on peers, and query popularity.
//!
//! Placement and popularity come from the replication's content stream, so every strategy sees the same copies.

use rand::RngExt;
use rand::seq::index;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::graph::PeerId;
use crate::rng::SimRng;
use crate::scenario::{Content as ContentSpec, Placement, Popularity};

pub type ObjectId = u32;

/// Longest holder list [`Content::holds`] searches itself (16 KiB of ids). A binary search over a list that a
/// query's repeated asks keep in cache beats the peer's own list (two or three cache misses) up to well beyond
/// this; longer lists fall back to the peer's list.
const SEARCH_HOLDERS_UP_TO: usize = 4096;

/// Who holds what, and how popular each object is.
#[derive(Clone, Debug)]
pub struct Content {
    /// `holders[o]`: the peers holding object o, sorted.
    holders: Vec<Vec<PeerId>>,
    /// Who holds what, peer by peer: an index over the holders only (most peers hold nothing, and an offset for
    /// every peer was 8 bytes a peer, the largest array after the overlay's).
    held: HeldIndex,
    /// Query popularity weight of each object (not normalised).
    weight: Vec<f64>,
    /// `cumulative[o]` = sum of weights of objects below o; `cumulative[objects]` = total.
    cumulative: Vec<f64>,
}

impl Content {
    /// Places copies and sets popularity as the scenario says.
    pub fn generate(peers: u32, spec: &ContentSpec, rng: &mut SimRng) -> Content {
        Content::generate_on(peers, None, spec, rng)
    }

    /// As [`Content::generate`], with the copies placed only on the peers of `may_hold` (in id order; `None`:
    /// every peer). Free riders are left out so, and the copies per object stay as the spec says. Every peer
    /// allowed gives the same draws as [`Content::generate`].
    pub fn generate_on(
        peers: u32,
        may_hold: Option<&[PeerId]>,
        spec: &ContentSpec,
        rng: &mut SimRng,
    ) -> Content {
        let weight = popularity_weights(spec.objects, spec.popularity);
        let targets = copy_targets(spec.replication, spec.replicas_mean, &weight, peers);
        let pool = may_hold.map_or(peers as usize, <[PeerId]>::len);
        let mut holders = Vec::with_capacity(spec.objects as usize);
        for target in targets {
            // A fractional target gives floor or floor + 1 copies, so the mean is exact.
            let whole = target.floor();
            let copies = whole as usize + usize::from(rng.random::<f64>() < target - whole);
            let copies = copies.min(peers as usize - 1).min(pool);
            let mut h: Vec<PeerId> = index::sample(rng, pool, copies)
                .into_iter()
                .map(|i| may_hold.map_or(i as PeerId, |m| m[i]))
                .collect();
            h.sort_unstable();
            holders.push(h);
        }
        Content::from_holders(peers, holders, weight)
    }

    /// Content with given holders and weights (tests and hand-built cases).
    pub fn from_holders(peers: u32, holders: Vec<Vec<PeerId>>, weight: Vec<f64>) -> Content {
        assert_eq!(holders.len(), weight.len());
        let held = HeldIndex::new(peers, &holders);
        let mut cumulative = Vec::with_capacity(weight.len() + 1);
        let mut acc = 0.0;
        cumulative.push(0.0);
        for w in &weight {
            acc += w;
            cumulative.push(acc);
        }
        Content {
            holders,
            held,
            weight,
            cumulative,
        }
    }

    pub fn objects(&self) -> u32 {
        self.holders.len() as u32
    }

    /// The objects peer `p` holds, sorted.
    #[inline]
    pub fn held_by(&self, p: PeerId) -> &[ObjectId] {
        self.held.of(p)
    }

    /// Whether `p` holds `o`. A query asks this of every peer it reaches, always for the same object, so a short
    /// holder list of that object (in cache after the first asks) answers without touching the peer's own list.
    /// Otherwise, most peers hold nothing: a bitset answers for them, and only the rest search their list (each
    /// step saves a cache miss per first receipt of a query, measured on the flood benchmark).
    #[inline]
    pub fn holds(&self, p: PeerId, o: ObjectId) -> bool {
        // Where the bitset of holders fits the L1 cache, it answers at once for most peers: a walk asks at
        // every step, and with many walks at once their objects' holder lists are not in cache.
        if self.held.any_fits_l1 && !self.held.holds_any(p) {
            return false;
        }
        let holders = &self.holders[o as usize];
        if holders.len() <= SEARCH_HOLDERS_UP_TO {
            return holders.binary_search(&p).is_ok();
        }
        self.held.holds_any(p) && self.held_by(p).binary_search(&o).is_ok()
    }

    pub fn holders(&self, o: ObjectId) -> &[PeerId] {
        &self.holders[o as usize]
    }

    pub fn copies(&self, o: ObjectId) -> usize {
        self.holders[o as usize].len()
    }

    /// Copies of all objects.
    pub fn total_copies(&self) -> usize {
        self.held.objects.len()
    }

    /// Popularity weight of object o (unnormalised).
    pub fn weight(&self, o: ObjectId) -> f64 {
        self.weight[o as usize]
    }

    /// The object a query from `source` asks for, given a uniform draw `u` in [0, 1): inverse-transform sampling
    /// of the popularity distribution restricted to the objects `source` does not hold (a peer never queries what
    /// it has). One draw per query keeps the query trace aligned across strategies. `None` when the peer holds
    /// every object of positive popularity.
    pub fn pick_object(&self, source: PeerId, u: f64) -> Option<ObjectId> {
        self.pick_among_unheld(self.held_by(source), u)
    }

    /// As [`Content::pick_object`], counting the copies made during the run as held too.
    pub fn pick_object_with(
        &self,
        source: PeerId,
        u: f64,
        added: &AddedCopies,
    ) -> Option<ObjectId> {
        let extra = added.held_by(source);
        if extra.is_empty() {
            return self.pick_object(source, u);
        }
        let mut held: Vec<ObjectId> = self.held_by(source).iter().chain(extra).copied().collect();
        held.sort_unstable();
        held.dedup();
        self.pick_among_unheld(&held, u)
    }

    /// Inverse-transform sampling of the popularity distribution without the (sorted) `held` objects.
    fn pick_among_unheld(&self, held: &[ObjectId], u: f64) -> Option<ObjectId> {
        let held_mass: f64 = held.iter().map(|&o| self.weight[o as usize]).sum();
        let total = self.cumulative[self.weight.len()];
        let free = total - held_mass;
        if free <= total * 1e-12 {
            return None;
        }
        // Walk the axis of all objects, stepping over the segments of held ones.
        let mut target = u * free;
        for &h in held {
            if self.cumulative[h as usize] <= target {
                target += self.weight[h as usize];
            } else {
                break;
            }
        }
        let n = self.weight.len();
        // First object whose segment ends beyond target.
        let mut o = self.cumulative[1..]
            .partition_point(|&c| c <= target)
            .min(n - 1);
        // Rounding can land on a held or weightless object: move to the nearest usable one.
        while self.weight[o] == 0.0 || held.binary_search(&(o as ObjectId)).is_ok() {
            if o + 1 < n {
                o += 1;
            } else {
                o = (0..n).rev().find(|&x| {
                    self.weight[x] > 0.0 && held.binary_search(&(x as ObjectId)).is_err()
                })?;
                break;
            }
        }
        Some(o as ObjectId)
    }
}

/// The objects each peer holds, stored for the holders only: a bitset of who holds anything, the number of
/// holders before each word of it, and the holders' lists end to end. About a bit and a half a peer, plus the
/// copies.
#[derive(Clone, Debug)]
struct HeldIndex {
    /// Bit p: peer p holds at least one object.
    any: Vec<u64>,
    /// `before[w]`: holders among the peers below 64 w.
    before: Vec<u32>,
    /// `offsets[i] .. offsets[i + 1]` indexes `objects` for the i-th holder (in id order).
    offsets: Vec<usize>,
    /// Each holder's objects, sorted.
    objects: Vec<ObjectId>,
    /// `any` takes at most [`ANY_FIRST_UP_TO_BYTES`].
    any_fits_l1: bool,
}

/// Largest bitset of holders that [`Content::holds`] reads before the holder list (16 KiB: 131,072 peers). A
/// bitset of 1.25 MB (10^7 peers) read first cost a flood a third of its speed there.
const ANY_FIRST_UP_TO_BYTES: usize = 16 << 10;

impl HeldIndex {
    fn new(peers: u32, holders: &[Vec<PeerId>]) -> HeldIndex {
        // Every copy as (peer, object); a peer holds an object once, so sorting gives each holder's objects in
        // order.
        let mut copies: Vec<(PeerId, ObjectId)> = holders
            .iter()
            .enumerate()
            .flat_map(|(o, h)| h.iter().map(move |&p| (p, o as ObjectId)))
            .collect();
        copies.sort_unstable();
        let words = (peers as usize).div_ceil(64);
        let mut any = vec![0u64; words];
        let mut offsets = Vec::new();
        let mut last = None;
        for (i, &(p, _)) in copies.iter().enumerate() {
            assert!(p < peers, "holder {p} of {peers} peers");
            if last != Some(p) {
                crate::bits::set(&mut any, p as usize);
                offsets.push(i);
                last = Some(p);
            }
        }
        offsets.push(copies.len());
        let mut before = Vec::with_capacity(words);
        let mut count = 0u32;
        for w in &any {
            before.push(count);
            count += w.count_ones();
        }
        HeldIndex {
            any_fits_l1: any.len() * 8 <= ANY_FIRST_UP_TO_BYTES,
            any,
            before,
            offsets,
            objects: copies.into_iter().map(|(_, o)| o).collect(),
        }
    }

    #[inline]
    fn holds_any(&self, p: PeerId) -> bool {
        crate::bits::has(&self.any, p as usize)
    }

    #[inline]
    fn of(&self, p: PeerId) -> &[ObjectId] {
        let word = self.any[p as usize >> 6];
        let bit = 1u64 << (p & 63);
        if word & bit == 0 {
            return &[];
        }
        let i = self.before[p as usize >> 6] as usize + (word & (bit - 1)).count_ones() as usize;
        &self.objects[self.offsets[i]..self.offsets[i + 1]]
    }
}

/// Copies made during one strategy run (replication on success). Kept apart from the replication's [`Content`],
/// which every strategy shares.
#[derive(Clone, Debug, Default)]
pub struct AddedCopies {
    set: FxHashSet<u64>,
    by_peer: FxHashMap<PeerId, Vec<ObjectId>>,
    by_object: FxHashMap<ObjectId, Vec<PeerId>>,
}

impl AddedCopies {
    fn key(p: PeerId, o: ObjectId) -> u64 {
        ((p as u64) << 32) | o as u64
    }

    #[inline]
    pub fn holds(&self, p: PeerId, o: ObjectId) -> bool {
        !self.set.is_empty() && self.set.contains(&Self::key(p, o))
    }

    /// Records that `p` now holds `o`; false if it already had this added copy.
    pub fn add(&mut self, p: PeerId, o: ObjectId) -> bool {
        if !self.set.insert(Self::key(p, o)) {
            return false;
        }
        let list = self.by_peer.entry(p).or_default();
        let at = list.partition_point(|&x| x < o);
        list.insert(at, o);
        self.by_object.entry(o).or_default().push(p);
        true
    }

    /// Added copies of object `o`.
    pub fn copies(&self, o: ObjectId) -> usize {
        self.holders(o).len()
    }

    /// Peers holding an added copy of `o`, in the order they got it.
    pub fn holders(&self, o: ObjectId) -> &[PeerId] {
        self.by_object.get(&o).map_or(&[], |v| v.as_slice())
    }

    /// Objects added at peer `p`, sorted.
    pub fn held_by(&self, p: PeerId) -> &[ObjectId] {
        self.by_peer.get(&p).map_or(&[], |v| v.as_slice())
    }

    /// All added copies.
    pub fn total(&self) -> usize {
        self.set.len()
    }
}

/// Expected copies of each object: `replicas_mean` each (uniform), or `replicas_mean * objects` copies in all,
/// shared in proportion to popularity q (proportional) or to sqrt(q) (square-root, Cohen and Shenker 2002).
/// An object's target is capped at peers - 1 (copies sit on distinct peers); the cap is reported by the mean
/// copies per object actually placed.
pub fn copy_targets(p: Placement, replicas_mean: f64, weight: &[f64], peers: u32) -> Vec<f64> {
    let total = replicas_mean * weight.len() as f64;
    let share: Vec<f64> = match p {
        Placement::Uniform => return vec![replicas_mean.min((peers - 1) as f64); weight.len()],
        Placement::Proportional => weight.to_vec(),
        Placement::SquareRoot => weight.iter().map(|w| w.sqrt()).collect(),
    };
    let sum: f64 = share.iter().sum();
    share
        .iter()
        .map(|s| (total * s / sum).min((peers - 1) as f64))
        .collect()
}

/// Popularity weights by object id (object 0 is the most popular under Zipf).
pub fn popularity_weights(objects: u32, p: Popularity) -> Vec<f64> {
    match p {
        Popularity::Uniform => vec![1.0; objects as usize],
        Popularity::Zipf(s) => (1..=objects).map(|rank| (rank as f64).powf(-s)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};
    use crate::scenario::{Content as Spec, Placement, Popularity};

    #[test]
    fn uniform_placement_gives_mean_copies_on_distinct_peers() {
        let spec = Spec {
            objects: 2000,
            replication: Placement::Uniform,
            replicas_mean: 2.5,
            popularity: Popularity::Uniform,
            replicate_on_hit: crate::scenario::ReplicateOnHit::None,
        };
        let c = Content::generate(100, &spec, &mut stream(5, Stream::Content));
        let total: usize = (0..2000).map(|o| c.copies(o)).sum();
        // Copies per object are 2 or 3 with mean 2.5: the total has sd sqrt(2000 * 0.25) = 22; allow 5 sd.
        assert!((total as f64 - 5000.0).abs() < 112.0, "{total}");
        for o in 0..2000 {
            let h = c.holders(o);
            assert!(h.len() == 2 || h.len() == 3);
            assert!(h.windows(2).all(|w| w[0] < w[1]), "distinct peers");
            for &p in h {
                assert!(c.holds(p, o));
            }
        }
    }

    #[test]
    fn holds_answers_alike_from_short_and_long_holder_lists() {
        // Among the first 10,000 peers, object 0: every third peer (3,334 holders, searched in the list); object
        // 1: every peer but multiples of 7 (8,571, past SEARCH_HOLDERS_UP_TO: answered from the peers' own
        // lists); object 2: peer 5 only. With 10,000 peers the bitset of holders is asked first (1,250 bytes);
        // with 200,000 (25 kB) the holder list is.
        let holding = 10_000u32;
        let of0: Vec<PeerId> = (0..holding).filter(|p| p % 3 == 0).collect();
        let of1: Vec<PeerId> = (0..holding).filter(|p| p % 7 != 0).collect();
        assert!(of0.len() <= SEARCH_HOLDERS_UP_TO && of1.len() > SEARCH_HOLDERS_UP_TO);
        for (peers, bitset_first) in [(holding, true), (200_000, false)] {
            let holders = vec![of0.clone(), of1.clone(), vec![5]];
            let c = Content::from_holders(peers, holders, vec![1.0; 3]);
            assert_eq!(c.held.any_fits_l1, bitset_first);
            for p in 0..peers {
                let h = p < holding;
                assert_eq!(c.holds(p, 0), h && p % 3 == 0, "peer {p}, object 0");
                assert_eq!(c.holds(p, 1), h && p % 7 != 0, "peer {p}, object 1");
                assert_eq!(c.holds(p, 2), p == 5, "peer {p}, object 2");
            }
        }
    }

    #[test]
    fn picking_skips_held_objects_exactly() {
        // Weights 1, 2, 3, 4; peer 0 holds objects 1 and 2. Free mass 5: object 0 on [0, 0.2), 3 on [0.2, 1).
        let c = Content::from_holders(
            2,
            vec![vec![1], vec![0], vec![0], vec![1]],
            vec![1.0, 2.0, 3.0, 4.0],
        );
        assert_eq!(c.pick_object(0, 0.0), Some(0));
        assert_eq!(c.pick_object(0, 0.19), Some(0));
        assert_eq!(c.pick_object(0, 0.21), Some(3));
        assert_eq!(c.pick_object(0, 0.999), Some(3));
        // Peer 1 holds 0 and 3: free mass 5, object 1 on [0, 0.4), object 2 on [0.4, 1).
        assert_eq!(c.pick_object(1, 0.39), Some(1));
        assert_eq!(c.pick_object(1, 0.41), Some(2));
        // A peer holding everything cannot query.
        let all = Content::from_holders(1, vec![vec![0], vec![0]], vec![1.0, 1.0]);
        assert_eq!(all.pick_object(0, 0.5), None);
    }

    #[test]
    fn picks_follow_the_conditional_popularity() {
        // Zipf(1) over 5 objects, peer holds object 0: P(o) = (1/(o+1)) / (H_5 - 1) for o >= 1.
        let w = popularity_weights(5, Popularity::Zipf(1.0));
        let c = Content::from_holders(1, vec![vec![0], vec![], vec![], vec![], vec![]], w.clone());
        let mut counts = [0usize; 5];
        let steps = 100_000;
        for i in 0..steps {
            let u = (i as f64 + 0.5) / steps as f64;
            counts[c.pick_object(0, u).unwrap() as usize] += 1;
        }
        let free: f64 = w[1..].iter().sum();
        assert_eq!(counts[0], 0);
        for o in 1..5 {
            // A uniform grid of u gives each object its share to within 1/steps.
            let want = w[o] / free;
            assert!((counts[o] as f64 / steps as f64 - want).abs() < 2e-5, "{o}");
        }
    }
}
