//! The world as a protocol reads it: links, who is online, who holds what.

use super::MsgKind;
use crate::adversaries::Roles;
use crate::content::{AddedCopies, Content, ObjectId};
use crate::graph::{Graph, PeerId};
use crate::overlay::Overlay;

/// The links a protocol sees: the generated topology, or under churn the live overlay.
#[derive(Clone, Copy)]
pub enum Links<'a> {
    Static(&'a Graph),
    Live(&'a Overlay),
}

impl<'a> Links<'a> {
    #[inline]
    pub fn neighbours(self, v: PeerId) -> &'a [PeerId] {
        match self {
            Links::Static(g) => g.neighbours(v),
            Links::Live(o) => o.neighbours(v),
        }
    }

    /// True for the live overlay (churn).
    #[inline]
    pub fn live(self) -> bool {
        matches!(self, Links::Live(_))
    }
}

/// The world a protocol reads: the overlay, who holds what (including copies made during the run), and for
/// two-tier overlays who is an ultrapeer.
#[derive(Clone, Copy)]
pub struct View<'a> {
    links: Links<'a>,
    peers: u32,
    content: &'a Content,
    added: &'a AddedCopies,
    ultrapeers: Option<&'a [bool]>,
    /// Bad actors (`None`: every peer behaves).
    roles: Option<&'a Roles>,
    /// The engine's current event (its number in the run).
    event: u64,
}

impl<'a> View<'a> {
    pub fn new(
        graph: &'a Graph,
        content: &'a Content,
        added: &'a AddedCopies,
        ultrapeers: Option<&'a [bool]>,
    ) -> View<'a> {
        View {
            links: Links::Static(graph),
            peers: graph.len() as u32,
            content,
            added,
            ultrapeers,
            roles: None,
            event: 0,
        }
    }

    /// The same view, with the replication's bad actors.
    pub fn with_roles(self, roles: Option<&'a Roles>) -> View<'a> {
        View { roles, ..self }
    }

    /// The same view as seen during event number `event` of the run.
    pub fn at_event(self, event: u64) -> View<'a> {
        View { event, ..self }
    }

    /// The number of the event being handled (events are numbered in the order they happen).
    #[inline]
    pub fn event(&self) -> u64 {
        self.event
    }

    /// The same view over the live overlay (churn).
    pub fn live(self, overlay: Option<&'a Overlay>) -> View<'a> {
        match overlay {
            Some(o) => View {
                links: Links::Live(o),
                ..self
            },
            None => self,
        }
    }

    /// Number of peers (node ids at or above this are servers).
    #[inline]
    pub fn peers(&self) -> u32 {
        self.peers
    }

    #[inline]
    pub fn neighbours(&self, v: PeerId) -> &'a [PeerId] {
        self.links.neighbours(v)
    }

    /// The links alone: two words, which a function kept out of line takes in registers where a whole view
    /// would be built on the stack.
    #[inline]
    pub fn links(&self) -> Links<'a> {
        self.links
    }

    #[inline]
    pub fn degree(&self, v: PeerId) -> usize {
        self.neighbours(v).len()
    }

    /// Whether `a` and `b` are linked now. Always true for the links of a static overlay, so only checked
    /// under churn.
    #[inline]
    pub fn linked(&self, a: PeerId, b: PeerId) -> bool {
        match self.links {
            Links::Static(_) => true,
            Links::Live(o) => o.has_edge(a, b),
        }
    }

    /// True under churn (the live overlay): peers may leave, and state or messages of an earlier session of a
    /// peer are stale.
    #[inline]
    pub fn churn(&self) -> bool {
        self.links.live()
    }

    /// Peer `p`'s session: its mark (see [`Overlay::mark`]), which changes whenever it joins or leaves; always 0
    /// without churn. A peer that leaves closes its links and forgets every query it saw: what a protocol recorded
    /// about `p` in another session is stale.
    #[inline]
    pub fn session(&self, p: PeerId) -> u64 {
        match self.links {
            Links::Static(_) => 0,
            Links::Live(o) => o.mark(p),
        }
    }

    /// Whether peer `p` has stayed online, links and all, since event `event` (always, without churn).
    #[inline]
    pub fn steady_since(&self, p: PeerId, event: u64) -> bool {
        match self.links {
            Links::Static(_) => true,
            Links::Live(o) => o.steady_since(p, event),
        }
    }

    /// Whether peer `p` is online (always, without churn).
    #[inline]
    pub fn online(&self, p: PeerId) -> bool {
        match self.links {
            Links::Static(_) => true,
            Links::Live(o) => o.is_online(p),
        }
    }

    /// Whether peer `p` holds object `o` now.
    #[inline]
    pub fn holds(&self, p: PeerId, o: ObjectId) -> bool {
        self.content.holds(p, o) || self.added.holds(p, o)
    }

    /// Whether some online peer holds object `o` now (the central index's answer; `no_copy` at issue).
    pub fn anyone_holds(&self, o: ObjectId) -> bool {
        match self.links {
            Links::Static(_) => self.content.copies(o) > 0 || self.added.copies(o) > 0,
            Links::Live(ov) => self
                .content
                .holders(o)
                .iter()
                .chain(self.added.holders(o))
                .any(|&p| ov.is_online(p)),
        }
    }

    /// True for a leaf of a two-tier overlay (which never forwards queries).
    #[inline]
    pub fn is_leaf(&self, p: PeerId) -> bool {
        self.ultrapeers.is_some_and(|u| !u[p as usize])
    }

    /// True when the overlay is two-tier.
    /// What peer `p` answers to a query for `o` that reaches it: `genuine` (the protocol's hit) where it holds a
    /// copy, a [`MsgKind::FakeHit`] where it is a polluter (whatever it holds), else nothing. (Droppers answer
    /// here as holders do; the engine swallows whatever they send.)
    #[inline]
    pub fn answer(&self, p: PeerId, o: ObjectId, genuine: MsgKind) -> Option<MsgKind> {
        if let Some(r) = self.roles
            && r.is_polluter(p)
        {
            return Some(MsgKind::FakeHit);
        }
        self.holds(p, o).then_some(genuine)
    }

    /// Whether a leaf's query-routing table lists object `o`: it holds a copy, or it is a polluter (which lists
    /// everything, to be asked everything).
    #[inline]
    pub fn advertises(&self, p: PeerId, o: ObjectId) -> bool {
        self.holds(p, o) || self.roles.is_some_and(|r| r.is_polluter(p))
    }

    #[inline]
    pub fn two_tier(&self) -> bool {
        self.ultrapeers.is_some()
    }

    /// True when some peers are droppers (they swallow what is no repeat, so a message's fate at one depends on
    /// whether it is a repeat).
    pub fn droppers(&self) -> bool {
        self.roles.is_some_and(Roles::has_droppers)
    }
}
