//! The engine's events: a closed enum for the code to match on, and a 16-byte packed form for the queue (the
//! queue's memory traffic is a large share of the run time, and 16 bytes is half the enum's natural size).

use super::queue::WheelItem;
use crate::protocols::{Message, MsgKind};

/// The closed set of things that happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The next query of the trace is issued.
    Issue,
    /// A message reaches its destination peer (which processes it at once, or queues or drops it).
    Deliver(Message),
    /// A protocol timer of `query`, set by `node`, fires (an expanding ring's wait, a server's service time);
    /// `ring` is the protocol's [`crate::protocols::Timer::ring`]; `session` is the session `node` was in when it set
    /// the timer (a peer that left since has forgotten the query).
    Timer {
        query: u32,
        node: u32,
        ring: u32,
        session: u32,
    },
    /// The next event of the churn schedule (a peer joins or leaves).
    Churn,
    /// A peer with limited capacity finishes the message at the head of its queue; `session` tells stale
    /// events (from before the peer left) from current ones.
    ServiceDone { peer: u32, session: u32 },
}

/// Query ids and hop counts are carried in 24 bits.
pub const MAX_QUERIES: u32 = 1 << 24;
pub const MAX_HOPS: u32 = (1 << 24) - 1;

/// Stored form: `to`, `from`, query id (24 bits) with a tag byte (variant and message kind), hops (24 bits)
/// with the wheel's 8 bits of time.
/// Aligned to 16 so that copies move it whole (split stores then a 16-byte load stalled store forwarding in the
/// event loop, measured).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, align(16))]
pub struct Packed {
    to: u32,
    from: u32,
    query_tag: u32,
    hops_lo: u32,
}

const ISSUE: u32 = 0;
const DELIVER: u32 = 1 << 4;
const TIMER: u32 = 3 << 4;
const CHURN: u32 = 4 << 4;
const SERVICE: u32 = 5 << 4;

impl WheelItem for Packed {
    #[inline]
    fn time_lo(&self) -> u8 {
        self.hops_lo as u8
    }
    #[inline]
    fn set_time_lo(&mut self, lo: u8) {
        self.hops_lo = (self.hops_lo & !0xFF) | lo as u32;
    }
}

impl Packed {
    /// The node a message event is addressed to (meaningless for other events; used only as a prefetch hint).
    #[inline]
    pub fn target(&self) -> u32 {
        self.to
    }

    /// The `from` field of a message event: under churn, the index of its tag (meaningless for other events; used
    /// only as a prefetch hint).
    #[inline]
    pub fn tag(&self) -> u32 {
        self.from
    }

    /// The `hops` field of a message event (meaningless for other events; used only as a prefetch hint).
    #[inline]
    pub fn hops(&self) -> u32 {
        self.hops_lo >> 8
    }

    /// The query id of a message event (`None` for other events).
    #[inline]
    pub fn message_query(&self) -> Option<u32> {
        (self.query_tag & 0xF0 == DELIVER).then_some(self.query_tag >> 8)
    }

    #[inline]
    fn message(variant: u32, m: &Message) -> Packed {
        debug_assert!(m.query < MAX_QUERIES && m.hops <= MAX_HOPS);
        Packed {
            to: m.to,
            from: m.from,
            query_tag: (m.query << 8) | variant | m.kind as u32,
            hops_lo: m.hops << 8,
        }
    }

    #[inline]
    fn to_message(self) -> Message {
        Message {
            to: self.to,
            from: self.from,
            query: self.query_tag >> 8,
            hops: self.hops_lo >> 8,
            kind: MsgKind::from_bits((self.query_tag & 0x0F) as u8),
        }
    }
}

impl From<Event> for Packed {
    #[inline]
    fn from(e: Event) -> Packed {
        match e {
            Event::Issue => Packed {
                to: 0,
                from: 0,
                query_tag: ISSUE,
                hops_lo: 0,
            },
            Event::Deliver(m) => Packed::message(DELIVER, &m),
            Event::Timer {
                query,
                node,
                ring,
                session,
            } => {
                debug_assert!(query < MAX_QUERIES && ring <= MAX_HOPS);
                Packed {
                    to: node,
                    from: session,
                    query_tag: (query << 8) | TIMER,
                    hops_lo: ring << 8,
                }
            }
            Event::Churn => Packed {
                to: 0,
                from: 0,
                query_tag: CHURN,
                hops_lo: 0,
            },
            Event::ServiceDone { peer, session } => Packed {
                to: peer,
                from: session,
                query_tag: SERVICE,
                hops_lo: 0,
            },
        }
    }
}

impl From<Packed> for Event {
    #[inline]
    fn from(p: Packed) -> Event {
        match p.query_tag & 0xF0 {
            DELIVER => Event::Deliver(p.to_message()),
            TIMER => Event::Timer {
                query: p.query_tag >> 8,
                node: p.to,
                ring: p.hops_lo >> 8,
                session: p.from,
            },
            CHURN => Event::Churn,
            SERVICE => Event::ServiceDone {
                peer: p.to,
                session: p.from,
            },
            _ => Event::Issue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_round_trips_and_is_16_bytes() {
        assert_eq!(std::mem::size_of::<Packed>(), 16);
        let m = Message {
            to: u32::MAX,
            from: 7,
            query: MAX_QUERIES - 1,
            hops: MAX_HOPS,
            kind: MsgKind::AnswerMiss,
        };
        let timer = Event::Timer {
            query: MAX_QUERIES - 1,
            node: u32::MAX,
            ring: MAX_HOPS,
            session: 0xDEAD_BEEF,
        };
        let service = Event::ServiceDone {
            peer: 12,
            session: u32::MAX,
        };
        for e in [
            Event::Issue,
            Event::Deliver(m),
            timer,
            Event::Churn,
            service,
        ] {
            let mut p = Packed::from(e);
            p.set_time_lo(0xAB);
            assert_eq!(p.time_lo(), 0xAB);
            assert_eq!(Event::from(p), e);
        }
        // The prefetch hints read a message's fields in place.
        let p = Packed::from(Event::Deliver(m));
        assert_eq!(
            (p.target(), p.tag(), p.message_query(), p.hops()),
            (u32::MAX, 7, Some(MAX_QUERIES - 1), MAX_HOPS)
        );
    }
}
