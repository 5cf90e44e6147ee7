//! Churn: the schedule's joins and leaves applied to the live overlay, and the messages in flight across them
//! (a message arrives only if both its ends stayed online since it was sent; see [`super::inflight`]).

use super::inflight::{InFlight, Tag};
use super::observer::Observer;
use super::{Engine, Event};
use crate::overlay::Overlay;
use crate::protocols::{FastPaths, Message, Protocol};
use crate::rng::{self, Stream};
use crate::scenario::Scenario;
use crate::world::World;

/// The state churn adds to a run.
pub(super) struct Churn {
    pub overlay: Overlay,
    /// Who sent every message in flight and when.
    pub flight: InFlight,
    /// The next event of the schedule.
    next: usize,
}

impl Churn {
    /// For a world with a churn schedule.
    pub fn new(s: &Scenario, world: &World) -> Churn {
        let c = world.churn.as_ref().expect("a churn schedule");
        Churn {
            overlay: Overlay::new(
                &world.graph,
                &c.schedule.initially_online,
                s.churn.target_degree,
                s.churn.min_degree,
                s.churn.repair,
                rng::stream(world.seed, Stream::Overlay),
            ),
            flight: InFlight::default(),
            next: 0,
        }
    }
}

impl<P: Protocol + FastPaths> Engine<'_, P> {
    pub(super) fn schedule_next_churn(&mut self) {
        if let (Some(c), Some(churn)) = (&self.world.churn, &self.churn)
            && let Some(ev) = c.schedule.events.get(churn.next)
        {
            self.clock.at(ev.time_us, Event::Churn);
        }
    }

    /// The next churn event: a peer joins (opening links) or leaves (its links and queued messages go).
    pub(super) fn churn(&mut self) {
        let (Some(c), Some(churn)) = (&self.world.churn, &mut self.churn) else {
            return;
        };
        let Some(&ev) = c.schedule.events.get(churn.next) else {
            return;
        };
        churn.next += 1;
        self.schedule_next_churn();
        let Some(churn) = self.churn.as_mut() else {
            return;
        };
        let event = self.clock.events;
        let opened = if ev.join {
            churn.overlay.join(ev.peer, event)
        } else {
            churn.overlay.leave(ev.peer, event)
        };
        let now = self.clock.now;
        let in_window = now >= self.warmup_us && now < self.duration_us;
        self.obs
            .links_opened(opened.join_links, opened.repair_links, in_window);
        if !ev.join
            && let Some(up) = &mut self.uplinks
        {
            up.drop_queue(ev.peer, now);
        }
        if !ev.join && self.capacity.limited() {
            for msg in self.capacity.drain(ev.peer) {
                self.lose(&msg);
            }
        }
    }

    /// Under churn, a message lands: restored from its tag, and lost if its destination is offline, if its sender
    /// or its destination left while it was in flight, or if it is for a source that has left since it issued the
    /// query.
    #[inline(never)]
    pub(super) fn arrive(&mut self, msg: &Message) -> Option<Message> {
        let Some(churn) = self.churn.as_mut() else {
            return Some(*msg);
        };
        let tag = churn.flight.remove(msg.from);
        let msg = Message {
            from: tag.from,
            ..*msg
        };
        let a = &self.queries[msg.query];
        // The source must have stayed since it issued the query (which came before any of its messages).
        let since = if msg.to == a.info.source {
            a.issued_event
        } else {
            tag.sent_event
        };
        // Servers (node ids from `peers` on) never leave.
        let overlay = &churn.overlay;
        let steady =
            |node: u32, event: u64| node >= self.peers || overlay.steady_since(node, event);
        if !steady(msg.to, since) || !steady(tag.sender, tag.sent_event) {
            self.lose(&msg);
            return None;
        }
        Some(msg)
    }

    /// The session of node `node` (servers, which never leave, and every node without churn: 0).
    #[inline]
    pub(super) fn session(&self, node: u32) -> u32 {
        match &self.churn {
            Some(c) if node < self.peers => c.overlay.session(node),
            _ => 0,
        }
    }

    /// Under churn, `msg` as it travels: its `from` is the index of its tag (its sender and the event now).
    #[inline]
    pub(super) fn tagged(&mut self, msg: Message) -> Message {
        let tag = Tag {
            from: msg.from,
            sender: self.acting,
            sent_event: self.clock.events,
        };
        match &mut self.churn {
            Some(churn) => Message {
                from: churn.flight.insert(tag),
                ..msg
            },
            None => msg,
        }
    }
}
