//! Peers with limited capacity: each serves the messages it receives one at a time, in arrival order, and drops
//! what arrives at a full queue. Without service times (the default) a peer processes a message on arrival.

use std::collections::VecDeque;

use super::{Engine, Event};
use crate::protocols::{FastPaths, Message, Protocol};
use crate::world::World;

pub(super) struct Capacity<'a> {
    /// Per peer, the time it takes to serve a message (`None`: unlimited capacity).
    service_us: Option<&'a [u64]>,
    /// Per peer, the messages in the system (the head in service). A service event carries its peer's session,
    /// so that one pending when the peer left is recognised as stale.
    queues: Vec<VecDeque<Message>>,
    /// Messages that may wait behind the one in service.
    limit: u64,
}

impl<'a> Capacity<'a> {
    pub fn new(world: &'a World, queue_limit: Option<u32>) -> Self {
        Capacity {
            service_us: world.service_us.as_deref(),
            queues: if world.service_us.is_some() {
                (0..world.peers()).map(|_| VecDeque::new()).collect()
            } else {
                Vec::new()
            },
            limit: queue_limit.map_or(u64::MAX, u64::from),
        }
    }

    /// Whether peers serve messages one at a time.
    #[inline]
    pub fn limited(&self) -> bool {
        self.service_us.is_some()
    }

    /// The messages `peer` held when it left (they are lost).
    pub fn drain(&mut self, peer: u32) -> Vec<Message> {
        self.queues[peer as usize].drain(..).collect()
    }
}

impl<P: Protocol + FastPaths> Engine<'_, P> {
    /// A message that arrived at an online node: processed at once, or queued behind others, or dropped when the
    /// queue is full.
    #[inline(always)]
    pub(super) fn deliver_to(&mut self, msg: &Message) {
        let to = msg.to;
        if to >= self.peers {
            // Servers queue requests themselves (the client-server protocol).
            self.process(msg);
            return;
        }
        let Some(service) = self.capacity.service_us else {
            self.process(msg);
            return;
        };
        let queue = &mut self.capacity.queues[to as usize];
        // One message in service and the rest waiting: drop when `limit` are already waiting.
        if queue.len() as u64 > self.capacity.limit {
            self.lose_to_drop(msg);
            return;
        }
        queue.push_back(*msg);
        if queue.len() == 1 {
            let session = self.session(to);
            self.clock.after(
                service[to as usize],
                Event::ServiceDone { peer: to, session },
            );
        }
    }

    /// A peer finishes the message at the head of its queue and starts the next one.
    pub(super) fn service_done(&mut self, peer: u32, session: u32) {
        if self.session(peer) != session {
            return; // the peer left since: its queue was lost then
        }
        let Some(msg) = self.capacity.queues[peer as usize].pop_front() else {
            return;
        };
        if !self.capacity.queues[peer as usize].is_empty()
            && let Some(service) = self.capacity.service_us
        {
            self.clock
                .after(service[peer as usize], Event::ServiceDone { peer, session });
        }
        self.process(&msg);
    }
}
