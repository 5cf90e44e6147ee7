//! The effects of one protocol step, which the engine applies.

#[cfg(test)]
use super::View;
use super::{Message, Timer};
use crate::graph::PeerId;

/// Effects of one protocol step, applied by the engine.
#[derive(Debug, Default)]
pub struct Outbox {
    pub sends: Vec<Message>,
    pub timers: Vec<Timer>,
    /// The message was a query the peer had already seen.
    pub duplicate: bool,
    /// A hit reached the source, found this many hops away.
    pub hit_at_source: Option<u32>,
    /// With a hit at the source, when the protocol was asked for paths: the peers the hit passed through, from
    /// the one after the holder to the source (path replication gives each a copy).
    pub hit_path: Vec<PeerId>,
    /// The message was refused on arrival (a full server queue): it is not processed and its query has lost it.
    pub dropped: bool,
    /// The message waits (in a server queue): the query keeps it in flight until released.
    pub hold: bool,
    /// Queries whose held message left the wait (their service started).
    pub release: Vec<u32>,
    /// Messages that could not be sent because their link broke (churn): lost to the query.
    pub lost: u32,
    /// A server (node id) started serving a request of a query that counts (true) or not: one unit of load.
    pub served_by: Option<(PeerId, bool)>,
    /// After `sends`: `next` goes to every neighbour of `next.from` but `except`, in the order of the links.
    pub fanout: Option<Fanout>,
    /// The message gave its peer a broadcast's payload for the first time (in its session).
    pub covered: bool,
}

/// A message to every neighbour of its sender but one (a flood's forwarding step), expanded by the engine.
///
/// The engine sends these straight from the neighbour list into its queue, which is cheaper than writing each
/// message into `sends` and reading it back (docs/performance.md).
#[derive(Clone, Copy, Debug)]
pub struct Fanout {
    pub next: Message,
    pub except: PeerId,
}

impl Fanout {
    /// The messages, given the sender's neighbours (in their order).
    #[inline]
    pub fn messages(self, neighbours: &[PeerId]) -> impl Iterator<Item = Message> + '_ {
        neighbours
            .iter()
            .filter(move |&&to| to != self.except)
            .map(move |&to| Message { to, ..self.next })
    }
}

impl Outbox {
    /// Nothing to send, set, serve or release (a duplicate's step, most of a flood's).
    #[inline]
    pub fn is_idle(&self) -> bool {
        self.sends.is_empty()
            && self.fanout.is_none()
            && self.timers.is_empty()
            && self.served_by.is_none()
            && self.release.is_empty()
    }

    /// Every message of the step in the order the engine sends them: `sends`, then the fanout's.
    #[cfg(test)]
    pub fn take_messages(&mut self, view: View<'_>) -> Vec<Message> {
        let mut all: Vec<Message> = self.sends.drain(..).collect();
        if let Some(f) = self.fanout.take() {
            all.extend(f.messages(view.neighbours(f.next.from)));
        }
        all
    }

    pub fn clear(&mut self) {
        self.sends.clear();
        self.fanout = None;
        self.timers.clear();
        self.duplicate = false;
        self.hit_at_source = None;
        self.hit_path.clear();
        self.dropped = false;
        self.hold = false;
        self.release.clear();
        self.served_by = None;
        self.lost = 0;
        self.covered = false;
    }
}
