//! The event queue: a bucket queue (timing wheel) over integer microseconds, with a binary-heap fallback for
//! events beyond the wheel's horizon.
//!
//! Hand-written because it is the hot path: a `BinaryHeap` pays a cache miss per level once a million events
//! are pending, while a wheel appends to a bucket and sorts small buckets (DESIGN.md measures 3 M against 19 M
//! events/s at 10^6 peers). Order is total and exact: by time, then by insertion order. A bucket holds its events
//! in insertion order, and a stable sort by time keeps that order among equal times; events that waited in the
//! overflow heap are moved into their bucket, in (time, sequence) order, before anything else can be added to
//! that bucket, so they stay ahead of later insertions.
//!
//! A bucket spans one absolute 256-us window at a time, so an item only needs to carry the low 8 bits of its time
//! ([`WheelItem`]); the engine's events fit in 16 bytes that way, which halves the queue's memory traffic.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// Bucket width: 2^BUCKET_SHIFT microseconds (256 us).
const BUCKET_SHIFT: u32 = 8;
/// Buckets in the wheel (a power of two): horizon = 16384 x 256 us = 4.19 s.
const BUCKETS: usize = 1 << 14;
/// Drained bucket vectors kept for reuse: enough for the buckets in use at once, without every bucket of the
/// ring holding on to the largest capacity it ever needed (that alone took 685 MB at 10^5 peers).
const POOL: usize = 256;

/// What [`EventQueue::prefetch_push`] fetches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushHint {
    Header,
    Tail,
}

/// What the wheel stores: a copyable item with room for the low 8 bits of its time.
pub trait WheelItem: Copy {
    fn time_lo(&self) -> u8;
    fn set_time_lo(&mut self, lo: u8);
}

struct Overflow<T> {
    time: u64,
    seq: u64,
    item: T,
}

impl<T> PartialEq for Overflow<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}
impl<T> Eq for Overflow<T> {}
impl<T> PartialOrd for Overflow<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Overflow<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.time, self.seq).cmp(&(other.time, other.seq))
    }
}

/// A priority queue of `(time, item)` popping in (time, insertion order).
pub struct EventQueue<T: WheelItem> {
    buckets: Vec<Vec<T>>,
    /// Absolute bucket number (time >> BUCKET_SHIFT) of the bucket being drained.
    current_bucket: u64,
    /// The bucket being drained, sorted by time; `cursor` is the next event.
    current: Vec<T>,
    cursor: usize,
    /// Events waiting in `buckets` (not in `current` nor in `overflow`).
    in_wheel: usize,
    overflow: BinaryHeap<Reverse<Overflow<T>>>,
    overflow_seq: u64,
    /// Empty vectors with capacity, handed to buckets that receive their first event.
    pool: Vec<Vec<T>>,
    /// Scratch space for the counting sort.
    scratch: Vec<T>,
}

impl<T: WheelItem> Default for EventQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

const LO_MASK: u64 = (1 << BUCKET_SHIFT) - 1;

impl<T: WheelItem> EventQueue<T> {
    pub fn new() -> Self {
        EventQueue {
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            current_bucket: 0,
            current: Vec::new(),
            cursor: 0,
            in_wheel: 0,
            overflow: BinaryHeap::new(),
            overflow_seq: 0,
            pool: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// Events pending. Counted from the parts rather than kept, so that push and pop update one count fewer
    /// (a read-modify-write in memory per event, measured).
    pub fn len(&self) -> usize {
        self.in_wheel + self.overflow.len() + (self.current.len() - self.cursor)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Schedules `item` at `time`, which must not be before the last popped event's time.
    ///
    /// The common case (a later bucket of the wheel with room to spare) is inlined into the caller, so the item
    /// goes from registers straight into the bucket: passed by reference to an outlined push, its time byte was
    /// stored and the whole item reloaded, which stalled store forwarding on every push (measured).
    #[inline(always)]
    pub fn push(&mut self, time: u64, mut item: T) {
        let bucket_no = time >> BUCKET_SHIFT;
        debug_assert!(
            bucket_no >= self.current_bucket,
            "event scheduled in the past"
        );
        if let Some(slot) = self.slot_ahead(bucket_no) {
            let bucket = &mut self.buckets[slot];
            if bucket.len() < bucket.capacity() {
                item.set_time_lo((time & LO_MASK) as u8);
                bucket.push(item);
                self.in_wheel += 1;
                return;
            }
        }
        self.push_slow(time, item);
    }

    /// The wheel's slot of bucket `bucket_no` if it is a later bucket within the horizon (not the one being
    /// drained, nor one for the overflow heap).
    #[inline(always)]
    fn slot_ahead(&self, bucket_no: u64) -> Option<usize> {
        (bucket_no > self.current_bucket && bucket_no < self.current_bucket + BUCKETS as u64)
            .then_some(bucket_no as usize & (BUCKETS - 1))
    }

    /// Every other push: into the bucket being drained, into a bucket that must grow or take a pooled vector,
    /// or beyond the horizon.
    #[cold]
    #[inline(never)]
    fn push_slow(&mut self, time: u64, mut item: T) {
        let bucket_no = time >> BUCKET_SHIFT;
        if bucket_no < self.current_bucket + BUCKETS as u64 {
            item.set_time_lo((time & LO_MASK) as u8);
            if bucket_no <= self.current_bucket {
                // Into the bucket being drained: after every pending event with time <= this one.
                let lo = item.time_lo();
                let rest = &self.current[self.cursor..];
                let at = self.cursor + rest.partition_point(|e| e.time_lo() <= lo);
                self.current.insert(at, item);
                return;
            }
            let bucket = &mut self.buckets[bucket_no as usize & (BUCKETS - 1)];
            if bucket.capacity() == 0
                && let Some(v) = self.pool.pop()
            {
                *bucket = v;
            }
            bucket.push(item);
            self.in_wheel += 1;
        } else {
            self.overflow.push(Reverse(Overflow {
                time,
                seq: self.overflow_seq,
                item,
            }));
            self.overflow_seq += 1;
        }
    }

    /// Hints the processor to fetch where an event at `time` would be pushed: the end of its bucket (`Tail`,
    /// which reads the bucket's header: fetch that earlier) or the bucket's header. Nothing beyond the wheel or in
    /// the bucket being drained.
    #[inline]
    pub fn prefetch_push(&self, time: u64, what: PushHint) {
        if let Some(slot) = self.slot_ahead(time >> BUCKET_SHIFT) {
            let bucket = &self.buckets[slot];
            match what {
                PushHint::Header => crate::graph::prefetch(bucket),
                PushHint::Tail => {
                    crate::graph::prefetch_ptr(bucket.as_ptr().wrapping_add(bucket.len()))
                }
            }
        }
    }

    /// The event `k` places after the next one to pop, if it is already in the bucket being drained (for
    /// prefetching what it will touch).
    #[inline]
    pub fn peek_ahead(&self, k: usize) -> Option<&T> {
        self.current.get(self.cursor + k)
    }

    /// Takes the earliest event (ties in insertion order).
    #[inline]
    pub fn pop(&mut self) -> Option<(u64, T)> {
        // One path builds the result: when the slow path returned it too, the two merged through a stack slot,
        // and the event loop's later 16-byte load of it stalled on the split stores (measured).
        if self.cursor >= self.current.len() && !self.next_bucket() {
            return None;
        }
        let ev = self.current[self.cursor];
        self.cursor += 1;
        Some((
            (self.current_bucket << BUCKET_SHIFT) | ev.time_lo() as u64,
            ev,
        ))
    }

    /// Moves on to the next non-empty bucket and sorts it; false when the queue is empty.
    #[cold]
    fn next_bucket(&mut self) -> bool {
        loop {
            // The bucket being drained is empty here, so nothing pending is nothing in the wheel nor beyond.
            if self.in_wheel == 0 && self.overflow.is_empty() {
                return false;
            }
            self.current.clear();
            self.cursor = 0;
            if self.pool.len() < POOL && self.current.capacity() > 0 {
                self.pool.push(std::mem::take(&mut self.current));
            } else {
                self.current = Vec::new();
            }
            if self.in_wheel == 0 {
                // Nothing in the wheel: jump straight to the first overflow event's bucket.
                let Some(Reverse(first)) = self.overflow.peek() else {
                    return false;
                };
                self.current_bucket = first.time >> BUCKET_SHIFT;
            } else {
                self.current_bucket += 1;
            }
            // Everything now within the horizon moves into its bucket before anything else can be added there.
            let horizon = self.current_bucket + BUCKETS as u64;
            while let Some(Reverse(top)) = self.overflow.peek() {
                if top.time >> BUCKET_SHIFT >= horizon {
                    break;
                }
                let Some(Reverse(ev)) = self.overflow.pop() else {
                    break;
                };
                let mut item = ev.item;
                item.set_time_lo((ev.time & LO_MASK) as u8);
                self.buckets[(ev.time >> BUCKET_SHIFT) as usize & (BUCKETS - 1)].push(item);
                self.in_wheel += 1;
            }
            let idx = self.current_bucket as usize & (BUCKETS - 1);
            self.current = std::mem::take(&mut self.buckets[idx]);
            self.in_wheel -= self.current.len();
            if !self.current.is_empty() {
                self.sort_current();
                return true;
            }
        }
    }

    /// Stable sort of the current bucket by time. Its items differ only in their low 8 bits of time, so a
    /// counting sort does it in two linear passes (measured faster than the standard stable sort here).
    fn sort_current(&mut self) {
        // A bucket of one instant (every bucket, on a clock of whole milliseconds) is already in order. Checked
        // first, because counting it would add one to the same bin per event, each add waiting for the last.
        if self.current.is_sorted_by_key(|e| e.time_lo()) {
            return;
        }
        let n = self.current.len();
        if n < 32 {
            self.current.sort_by_key(|e| e.time_lo());
            return;
        }
        const BINS: usize = 1 << BUCKET_SHIFT;
        let mut start = [0u32; BINS + 1];
        for e in &self.current {
            start[e.time_lo() as usize + 1] += 1;
        }
        for b in 0..BINS {
            start[b + 1] += start[b];
        }
        self.scratch.clear();
        self.scratch.extend_from_slice(&self.current);
        for &ev in &self.scratch {
            let b = ev.time_lo() as usize;
            self.current[start[b] as usize] = ev;
            start[b] += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    /// A test item: a payload and the wheel's time bits.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    struct Item(u64, u8);

    impl WheelItem for Item {
        fn time_lo(&self) -> u8 {
            self.1
        }
        fn set_time_lo(&mut self, lo: u8) {
            self.1 = lo;
        }
    }

    fn drain(q: &mut EventQueue<Item>) -> Vec<(u64, u64)> {
        std::iter::from_fn(|| q.pop())
            .map(|(t, i)| (t, i.0))
            .collect()
    }

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut q = EventQueue::new();
        let it = |c: char| Item(c as u64, 0);
        q.push(500, it('a'));
        q.push(100, it('b'));
        q.push(500, it('c'));
        q.push(10_000_000_000, it('d')); // far beyond the horizon
        q.push(100, it('e'));
        assert_eq!(q.pop().map(|(t, i)| (t, i.0)), Some((100, 'b' as u64)));
        q.push(100, it('f')); // same time as the one just popped: goes after 'e'
        q.push(300, it('g'));
        let rest = drain(&mut q);
        let want: Vec<(u64, u64)> = [
            (100, 'e'),
            (100, 'f'),
            (300, 'g'),
            (500, 'a'),
            (500, 'c'),
            (10_000_000_000, 'd'),
        ]
        .iter()
        .map(|&(t, c)| (t, c as u64))
        .collect();
        assert_eq!(rest, want);
        assert!(q.is_empty());
    }

    #[test]
    fn matches_a_reference_heap_on_random_schedules() {
        // Reference: a binary heap keyed by (time, sequence number), the order DESIGN.md asks for.
        let mut rng = rand_pcg::Pcg64::seed_from_u64(11);
        let mut q = EventQueue::new();
        let mut reference = BinaryHeap::new();
        let mut seq = 0u64;
        let mut now = 0u64;
        let mut out_q = Vec::new();
        let mut out_r = Vec::new();
        for step in 0..200_000u64 {
            if rng.random_bool(0.55) || reference.is_empty() {
                // Mix of same-time, near, bucket-edge and beyond-horizon delays.
                let delay = match rng.random_range(0..6) {
                    0 => 0,
                    5 => rng.random_range(0..5000) * 256, // bucket boundaries
                    1 => rng.random_range(0..300),
                    2 => rng.random_range(0..100_000),
                    3 => rng.random_range(0..5_000_000),
                    _ => rng.random_range(0..60_000_000),
                };
                q.push(now + delay, Item(step, 0));
                reference.push(Reverse((now + delay, seq, step)));
                seq += 1;
            } else {
                let (t, item) = q.pop().unwrap();
                let Reverse((rt, _, ritem)) = reference.pop().unwrap();
                now = t;
                out_q.push((t, item.0));
                out_r.push((rt, ritem));
            }
            assert_eq!(q.len(), reference.len(), "step {step}");
        }
        out_q.extend(drain(&mut q));
        while let Some(Reverse((t, _, i))) = reference.pop() {
            out_r.push((t, i));
        }
        assert_eq!(out_q, out_r);
    }
}
