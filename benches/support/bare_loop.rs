//! Bare flood loops: the yardstick of issue 9, measured in the same run as the engine.
//!
//! They flood the same graph, from the same query arrivals, with the same latency draws (distribution, seed,
//! stream, and the engine's block drawing) as the engine does for a flooding scenario: TTL, duplicate suppression
//! and nothing else. No query hits, no metrics, no per-peer capacity, no protocol layer, no insertion-order
//! tie-breaking. Events are counted as the engine counts them (taken off the queue: deliveries and query issues);
//! the clock is integer microseconds like the engine's.
//!
//! Four queues: std's `BinaryHeap`; a bucket queue with one bucket per microsecond (a ring of 2^20 buckets, a
//! binary heap beyond it); the engine's own queue, which measures what everything else in the engine costs; and,
//! when every time is a whole number of one tick (a scenario with `network.latency_tick` and
//! `workload.issue_tick` equal), a bucket queue with one bucket per tick, the issue's integer-clock loop.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

use gnutsim::dist::BlockDraws;
use gnutsim::engine::queue::{EventQueue, WheelItem};
use gnutsim::graph::Graph;
use gnutsim::workload::Arrival;

/// One message in flight, or a query being issued (`to == ISSUE`, `from` = the arrival's index).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Msg {
    to: u32,
    from: u32,
    /// Query slot << 8 | hops left after this one.
    slot_ttl: u32,
    /// The low bits of the time, for the engine's wheel.
    lo: u8,
}

impl WheelItem for Msg {
    fn time_lo(&self) -> u8 {
        self.lo
    }
    fn set_time_lo(&mut self, lo: u8) {
        self.lo = lo;
    }
}

const ISSUE: u32 = u32::MAX;

/// What a bare loop did.
pub struct Bare {
    pub events: u64,
    pub wall_s: f64,
}

trait Queue {
    fn push(&mut self, time: u64, msg: Msg);
    fn pop(&mut self) -> Option<(u64, Msg)>;
}

struct Heap(BinaryHeap<Reverse<(u64, Msg)>>);

impl Queue for Heap {
    #[inline]
    fn push(&mut self, time: u64, msg: Msg) {
        self.0.push(Reverse((time, msg)));
    }
    #[inline]
    fn pop(&mut self) -> Option<(u64, Msg)> {
        self.0.pop().map(|Reverse(x)| x)
    }
}

/// The engine's own queue (256-us buckets sorted when drained), with bare events.
struct Wheel(EventQueue<Msg>);

impl Queue for Wheel {
    #[inline]
    fn push(&mut self, time: u64, msg: Msg) {
        self.0.push(time, msg);
    }
    #[inline]
    fn pop(&mut self) -> Option<(u64, Msg)> {
        self.0.pop()
    }
}

/// One bucket per tick of `tick_us` microseconds in a ring of `RING` buckets (times must be whole ticks): every
/// event of a bucket has the same time, so nothing is sorted. Per microsecond the ring spans about a second;
/// per millisecond 256 buckets are enough for the benchmark's latencies of at most 100 ticks, and a small ring
/// keeps its buckets in cache (a ring of 2048 was 20% slower at 10^4 peers).
struct Buckets<const RING: usize> {
    tick_us: u64,
    ring: Vec<Vec<Msg>>,
    /// In ticks.
    now: u64,
    current: Vec<Msg>,
    in_ring: usize,
    overflow: BinaryHeap<Reverse<(u64, Msg)>>,
}

impl<const RING: usize> Buckets<RING> {
    fn new(tick_us: u64) -> Buckets<RING> {
        Buckets {
            tick_us,
            ring: (0..RING).map(|_| Vec::new()).collect(),
            now: 0,
            current: Vec::new(),
            in_ring: 0,
            overflow: BinaryHeap::new(),
        }
    }
}

impl<const RING: usize> Queue for Buckets<RING> {
    #[inline]
    fn push(&mut self, time: u64, msg: Msg) {
        debug_assert_eq!(time % self.tick_us, 0, "a time off the tick");
        let time = time / self.tick_us;
        if time == self.now {
            self.current.push(msg);
        } else if time < self.now + RING as u64 {
            self.ring[time as usize & (RING - 1)].push(msg);
            self.in_ring += 1;
        } else {
            self.overflow.push(Reverse((time, msg)));
        }
    }

    #[inline]
    fn pop(&mut self) -> Option<(u64, Msg)> {
        loop {
            if let Some(m) = self.current.pop() {
                return Some((self.now * self.tick_us, m));
            }
            if self.in_ring == 0 {
                // Jump over empty time to the first far event.
                let Reverse((t, _)) = self.overflow.peek()?;
                self.now = *t;
            } else {
                self.now += 1;
            }
            while let Some(Reverse((t, _))) = self.overflow.peek() {
                if *t >= self.now + RING as u64 {
                    break;
                }
                let Some(Reverse((t, m))) = self.overflow.pop() else {
                    break;
                };
                self.ring[t as usize & (RING - 1)].push(m);
                self.in_ring += 1;
            }
            let bucket = &mut self.ring[self.now as usize & (RING - 1)];
            self.in_ring -= bucket.len();
            std::mem::swap(&mut self.current, bucket);
        }
    }
}

/// The queue a bare loop runs on.
#[derive(Clone, Copy)]
pub enum QueueKind {
    /// std's binary heap.
    Heap,
    /// One bucket per microsecond.
    Buckets,
    /// The engine's own queue.
    Wheel,
    /// One bucket per tick of this many microseconds.
    Ticks(u64),
}

/// Floods `arrivals` over `graph` on the queue `kind`.
pub fn flood_on<R: rand::Rng + Clone>(
    kind: QueueKind,
    graph: &Graph,
    arrivals: &[Arrival],
    ttl: u32,
    latency: BlockDraws<R>,
) -> Bare {
    match kind {
        QueueKind::Heap => flood(Heap(BinaryHeap::new()), graph, arrivals, ttl, latency),
        QueueKind::Buckets => {
            let queue = Buckets::<{ 1 << 20 }>::new(1);
            flood(queue, graph, arrivals, ttl, latency)
        }
        QueueKind::Wheel => flood(Wheel(EventQueue::new()), graph, arrivals, ttl, latency),
        QueueKind::Ticks(tick_us) => {
            let queue = Buckets::<256>::new(tick_us);
            flood(queue, graph, arrivals, ttl, latency)
        }
    }
}

fn flood<Q: Queue, R: rand::Rng + Clone>(
    mut queue: Q,
    graph: &Graph,
    arrivals: &[Arrival],
    ttl: u32,
    mut latency: BlockDraws<R>,
) -> Bare {
    let words = graph.len().div_ceil(64);
    // Per query: the peers it reached (a bitset) and its messages in flight; slots are recycled.
    let mut seen: Vec<Vec<u64>> = Vec::new();
    let mut in_flight: Vec<u32> = Vec::new();
    let mut free: Vec<u32> = Vec::new();
    let started = Instant::now();
    let mut events = 0u64;
    if let Some(a) = arrivals.first() {
        queue.push(
            a.time_us,
            Msg {
                to: ISSUE,
                from: 0,
                slot_ttl: 0,
                lo: 0,
            },
        );
    }
    while let Some((now, msg)) = queue.pop() {
        events += 1;
        let (source, slot, left, from) = if msg.to == ISSUE {
            let i = msg.from as usize;
            if let Some(next) = arrivals.get(i + 1) {
                queue.push(
                    next.time_us,
                    Msg {
                        to: ISSUE,
                        from: i as u32 + 1,
                        slot_ttl: 0,
                        lo: 0,
                    },
                );
            }
            let slot = free.pop().unwrap_or_else(|| {
                seen.push(vec![0; words]);
                in_flight.push(0);
                seen.len() as u32 - 1
            });
            (arrivals[i].source, slot, ttl, u32::MAX)
        } else {
            let slot = msg.slot_ttl >> 8;
            in_flight[slot as usize] -= 1;
            (msg.to, slot, msg.slot_ttl & 0xff, msg.from)
        };
        let bits = &mut seen[slot as usize];
        let (w, b) = (source as usize / 64, 1u64 << (source % 64));
        if bits[w] & b == 0 {
            bits[w] |= b;
            if left > 0 {
                for &n in graph.neighbours(source) {
                    if n != from {
                        let at = now + latency.next_us();
                        queue.push(
                            at,
                            Msg {
                                to: n,
                                from: source,
                                slot_ttl: slot << 8 | (left - 1),
                                lo: 0,
                            },
                        );
                        in_flight[slot as usize] += 1;
                    }
                }
            }
        }
        if in_flight[slot as usize] == 0 {
            seen[slot as usize].fill(0);
            free.push(slot);
        }
    }
    Bare {
        events,
        wall_s: started.elapsed().as_secs_f64(),
    }
}
