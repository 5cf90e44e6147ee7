//! The event loop's clock: the pending events in (time, insertion) order, the time of the event being handled,
//! and how many have been handled (an event's number dates things under churn). Apart from the engine so that
//! the loop's order can be tested alone.

use super::event::{Event, Packed};
use super::queue::{EventQueue, PushHint};

pub(super) struct Clock {
    queue: EventQueue<Packed>,
    /// Time of the event being handled (microseconds).
    pub now: u64,
    /// Events popped so far, the one being handled included.
    pub events: u64,
}

impl Clock {
    pub fn new() -> Clock {
        Clock {
            queue: EventQueue::new(),
            now: 0,
            events: 0,
        }
    }

    /// `e` happens at `time` (not before now).
    #[inline(always)]
    pub fn at(&mut self, time: u64, e: Event) {
        self.queue.push(time, e.into());
    }

    /// `e` happens `delay_us` from now.
    #[inline(always)]
    pub fn after(&mut self, delay_us: u64, e: Event) {
        self.queue.push(self.now + delay_us, e.into());
    }

    /// Moves time to the next event and returns it (packed: the caller unpacks it once it has issued its
    /// prefetches). `None` when nothing is pending.
    #[inline]
    pub fn pop(&mut self) -> Option<Packed> {
        let (time, packed) = self.queue.pop()?;
        self.now = time;
        self.events += 1;
        Some(packed)
    }

    /// Hints the processor to fetch where an event `delay_us` from now would be pushed.
    #[inline]
    pub fn prefetch_after(&self, delay_us: u64, what: PushHint) {
        self.queue.prefetch_push(self.now + delay_us, what);
    }

    /// The event `k` places after the next one, if it is already at hand (a prefetch hint).
    #[inline]
    pub fn peek_ahead(&self, k: usize) -> Option<&Packed> {
        self.queue.peek_ahead(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::{Message, MsgKind};

    #[test]
    fn pops_in_time_then_insertion_order_and_counts_events() {
        let msg = |to| {
            Event::Deliver(Message {
                to,
                from: 1,
                query: 3,
                hops: 2,
                kind: MsgKind::Query,
            })
        };
        let mut c = Clock::new();
        c.at(2_000, Event::Issue);
        c.at(1_000, msg(7));
        c.at(1_000, Event::Churn);
        let mut seen = Vec::new();
        while let Some(p) = c.pop() {
            let e = Event::from(p);
            if c.events == 1 {
                // Scheduled from inside the loop: same instant goes after the pending ones, later ones in order.
                c.after(0, msg(8));
                c.after(
                    1_500,
                    Event::ServiceDone {
                        peer: 4,
                        session: 9,
                    },
                );
                c.after(500, msg(9));
            }
            seen.push((c.now, e));
        }
        let want = vec![
            (1_000, msg(7)),
            (1_000, Event::Churn),
            (1_000, msg(8)),
            (1_500, msg(9)),
            (2_000, Event::Issue),
            (
                2_500,
                Event::ServiceDone {
                    peer: 4,
                    session: 9,
                },
            ),
        ];
        assert_eq!(seen, want);
        assert_eq!(c.events, 6);
    }
}
