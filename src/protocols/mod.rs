//! Search strategies. A protocol only describes effects: given a message at a peer, it says what to send and
//! what happened (a duplicate, a hit reaching the source, a timer to set). The engine applies the effects
//! (latency, queues, metrics), so a protocol can be tested on a hand-built graph without the engine.

pub mod client_server;
pub mod expanding_ring;
pub mod flooding;
pub mod random_walk;
pub mod routes;

use crate::content::{AddedCopies, Content, ObjectId};
use crate::graph::{Graph, PeerId};
use crate::overlay::Overlay;

/// What a message is, for routing and for the message counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum MsgKind {
    /// A Gnutella Query (flooding, expanding ring).
    Query = 0,
    /// A QueryHit travelling back along the reverse path.
    Hit = 1,
    /// A random walker taking a step.
    Walk = 2,
    /// A walker's hit travelling back along its loop-erased path.
    WalkHit = 3,
    /// A walker asking the source whether the query is satisfied.
    Check = 4,
    /// The source's answer: go on.
    CheckGo = 5,
    /// The source's answer: stop.
    CheckStop = 6,
    /// A query sent to the central index.
    Request = 7,
    /// The index's answer: the object is held by an online peer.
    AnswerHit = 8,
    /// The index's answer: nobody online holds it.
    AnswerMiss = 9,
}

/// Number of [`MsgKind`]s (size of per-kind counter arrays).
pub const MSG_KINDS: usize = 10;

impl MsgKind {
    /// The kind whose discriminant is `bits` (the engine's packed events store it in 4 bits).
    #[inline]
    pub fn from_bits(bits: u8) -> MsgKind {
        match bits {
            1 => MsgKind::Hit,
            2 => MsgKind::Walk,
            3 => MsgKind::WalkHit,
            4 => MsgKind::Check,
            5 => MsgKind::CheckGo,
            6 => MsgKind::CheckStop,
            7 => MsgKind::Request,
            8 => MsgKind::AnswerHit,
            9 => MsgKind::AnswerMiss,
            _ => MsgKind::Query,
        }
    }

    /// Counted in `query_messages`: the search itself (queries, walker steps, requests to the index).
    pub fn is_query(self) -> bool {
        matches!(self, MsgKind::Query | MsgKind::Walk | MsgKind::Request)
    }

    /// Counted in `hit_messages`: answers that carry a hit back towards the source.
    pub fn is_hit(self) -> bool {
        matches!(self, MsgKind::Hit | MsgKind::WalkHit | MsgKind::AnswerHit)
    }
}

/// A message in flight. `query` is the engine's slot of the query it belongs to; `from` and `hops` mean what the
/// protocol that sent it says (for a flooding query: the previous hop and the hops travelled on arrival).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Message {
    pub to: PeerId,
    pub from: PeerId,
    pub query: u32,
    pub hops: u32,
    pub kind: MsgKind,
}

/// The links a protocol sees: the generated topology, or under churn the live overlay.
#[derive(Clone, Copy)]
pub enum Links<'a> {
    Static(&'a Graph),
    Live(&'a Overlay),
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
            event: 0,
        }
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
        match self.links {
            Links::Static(g) => g.neighbours(v),
            Links::Live(o) => o.neighbours(v),
        }
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
        matches!(self.links, Links::Live(_))
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
    #[inline]
    pub fn two_tier(&self) -> bool {
        self.ultrapeers.is_some()
    }
}

/// What the engine knows of a query, passed to the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueryInfo {
    pub slot: u32,
    pub source: PeerId,
    pub object: ObjectId,
    /// The source has received a hit (the query is satisfied).
    pub satisfied: bool,
    /// The query counts in runs.csv (issued at or after warmup).
    pub measured: bool,
}

/// A timer: after `delay_us`, the protocol's `timer` is called for query `slot` with `data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timer {
    pub delay_us: u64,
    pub slot: u32,
    pub data: u32,
}

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
}

/// A message to every neighbour of its sender but one (a flood's forwarding step), expanded by the engine.
///
/// The engine sends these straight from the neighbour list into its queue: written into `sends` and read back,
/// a flood's messages cost 11-14% more at 10^4 peers (measured A/B, alternating runs).
#[derive(Clone, Copy, Debug)]
pub struct Fanout {
    pub next: Message,
    pub except: PeerId,
}

/// What a query did at a peer, when that is all its step does (a flood's query outside two-tier overlays): the
/// engine applies it without building a step ([`Protocol::receive_query`]).
#[derive(Clone, Copy, Debug)]
pub enum Receipt {
    /// The peer had seen the query: nothing is sent.
    Duplicate,
    /// The peer's first copy: a hit back to the sender when the peer holds the object, then the fanout, if any.
    First {
        hit: Option<Message>,
        fanout: Option<Fanout>,
    },
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
    }
}

/// Figures a protocol keeps itself (the central index's utilisation).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ProtocolStats {
    /// Server-seconds of service given to measured queries.
    pub busy_s: f64,
    pub servers: u32,
}

/// A search strategy.
pub trait Protocol {
    /// The source issues query `q`.
    fn start(&mut self, q: &QueryInfo, view: View<'_>, out: &mut Outbox);
    /// Node `msg.to` processes `msg`.
    fn handle(&mut self, msg: &Message, q: &QueryInfo, view: View<'_>, out: &mut Outbox);
    /// A timer of query `q` fires.
    fn timer(&mut self, _data: u32, _q: &QueryInfo, _view: View<'_>, _out: &mut Outbox) {}
    /// Query in `slot` is over (nothing of it in flight): free its state. Returns the number of distinct peers
    /// other than the source that processed it.
    fn finish(&mut self, slot: u32) -> u64;
    /// Whether a message of query `slot` arriving at `peer` may make it send to its neighbours. Only a prefetch
    /// hint for the event loop (false: do not fetch the peer's neighbour list ahead of time), so it must be cheap
    /// and may be wrong either way.
    #[inline]
    fn may_expand(&self, _slot: u32, _peer: PeerId) -> bool {
        true
    }
    /// Whether `msg` is a query its peer has already seen, so that handling it would do nothing but report a
    /// duplicate (most of a flood's messages): the engine then counts it without building a step. True must be
    /// exact; false is always allowed (the message then goes through `handle`).
    #[inline]
    fn known_duplicate(&self, _msg: &Message) -> bool {
        false
    }
    /// The whole step of `msg` at its peer when it is a [`Receipt`] (the query's object is `object`); `None`
    /// sends the message through `handle`, which must then do what the receipt would have said. Saves a flood's
    /// first copies the general step (5-12% on the flood benchmarks, measured A/B).
    #[inline]
    fn receive_query(
        &mut self,
        _msg: &Message,
        _object: ObjectId,
        _view: View<'_>,
    ) -> Option<Receipt> {
        None
    }
    /// [`Protocol::receive_query`] under churn (a separate entry, so that the receipt path without churn carries
    /// no call to the churn one).
    #[inline]
    fn receive_query_in_session(
        &mut self,
        _msg: &Message,
        _object: ObjectId,
        _view: View<'_>,
    ) -> Option<Receipt> {
        None
    }
    /// Hints the processor to fetch the state that a message of query `slot` arriving at `peer` will touch (it
    /// is a few events ahead in the queue). No visible effect.
    #[inline]
    fn prefetch(&self, _slot: u32, _peer: PeerId) {}
    /// Nodes beyond the peers (servers), which carry load too.
    fn extra_nodes(&self) -> u32 {
        0
    }
    fn stats(&self) -> ProtocolStats {
        ProtocolStats::default()
    }
}
