//! Gnutella 0.4 flooding. A Query carries a TTL and a hop count (TTL + hops = initial TTL); each peer forwards a
//! query it sees for the first time to every neighbour except the one it came from, while TTL remains; a repeated
//! query id is a duplicate and goes no further. A peer holding the object answers with a QueryHit that retraces
//! the query's path hop by hop, each peer sending it to the neighbour it first received the query from.
//!
//! On a two-tier (Gnutella 0.6) overlay, leaves never forward: a leaf's query goes to its ultrapeers, which flood
//! among ultrapeers; an ultrapeer passes a query only to those of its leaves that hold the object (the query
//! routing protocol tells it their content), and that last hop to a leaf does not need TTL. A leaf answers
//! through the ultrapeer it got the query from.

use super::routes::{Route, RoutePool, Routes};
use super::{
    BuildEnv, BuildProtocol, Fanout, FastPaths, Finished, Message, MsgKind, Outbox, Protocol,
    QueryInfo, Receipt, View,
};
use crate::content::ObjectId;
use crate::graph::PeerId;
use crate::scenario::reader::{R, Reader};
use crate::scenario::{KeyValue, StrategySpec};

/// Hop counts of flooding messages use the low 16 bits; the expanding ring puts its ring number above them.
pub(crate) const HOPS_MASK: u32 = 0xFFFF;

/// Flooding with a fixed TTL. Per query, a routing table: for each peer that has seen the query, the neighbour
/// it first came from (the source maps to itself); it doubles as the duplicate filter.
pub struct Flooding {
    ttl: u32,
    routes: Vec<Routes>,
    pool: RoutePool,
    want_paths: bool,
    /// Whether the overlay churns (read from the view when a query starts).
    churn: bool,
}

impl Flooding {
    /// `want_paths`: report each hit's path when it reaches the source (for path replication).
    pub fn new(ttl: u32, peers: usize, want_paths: bool) -> Flooding {
        Flooding {
            ttl,
            routes: Vec::new(),
            pool: RoutePool::new(peers),
            want_paths,
            churn: false,
        }
    }
}

/// The state of `query`, growing the list as queries appear.
pub(crate) fn state_of<T: Default>(list: &mut Vec<T>, query: u32) -> &mut T {
    let query = query as usize;
    if list.len() <= query {
        list.resize_with(query + 1, T::default);
    }
    &mut list[query]
}

/// The source sends the first copies of a flood. `tag` is or-ed into the hop count (the ring number).
pub(crate) fn flood_start(
    routes: &mut Routes,
    pool: &mut RoutePool,
    tag: u32,
    q: &QueryInfo,
    view: View<'_>,
    out: &mut Outbox,
) {
    routes.clear(pool);
    routes.start(view);
    routes.receive(q.source, q.source, view, pool);
    let leaf_source = view.is_leaf(q.source);
    for &nb in view.neighbours(q.source) {
        // An ultrapeer source reaches its own leaves only where they hold the object.
        if view.two_tier() && !leaf_source && view.is_leaf(nb) && !view.advertises(nb, q.object) {
            continue;
        }
        out.sends.push(Message {
            to: nb,
            from: q.source,
            query: q.query,
            hops: tag | 1,
            kind: MsgKind::Query,
        });
    }
}

/// A peer receives a flooded query. Returns true when it is the peer's first copy.
#[allow(clippy::too_many_arguments)]
pub(crate) fn flood_receive(
    routes: &mut Routes,
    pool: &mut RoutePool,
    ttl: u32,
    msg: &Message,
    q: &QueryInfo,
    view: View<'_>,
    out: &mut Outbox,
) -> bool {
    if !view.two_tier() {
        return match receive(routes, pool, ttl, msg, q.object, view, view.churn()) {
            Receipt::Duplicate => {
                out.duplicate = true;
                false
            }
            Receipt::First { hit, fanout } => {
                out.sends.extend(hit);
                out.fanout = fanout;
                true
            }
            Receipt::Step { .. } | Receipt::Relay { .. } => {
                unreachable!("a flood's receipt is never a walker's")
            }
        };
    }
    // Two tiers: an ultrapeer passes the query on to its leaves only where they hold the object.
    let at = msg.to;
    if !routes.receive(at, msg.from, view, pool) {
        out.duplicate = true;
        return false;
    }
    if let Some(kind) = view.answer(at, q.object, MsgKind::Hit) {
        out.sends.push(hit_back(msg, kind));
    }
    if view.is_leaf(at) {
        return true;
    }
    let hops = msg.hops & HOPS_MASK;
    let next = onward(msg);
    for &nb in view.neighbours(at) {
        if nb == msg.from {
            continue;
        }
        let pass = if view.is_leaf(nb) {
            view.advertises(nb, q.object)
        } else {
            hops < ttl
        };
        if pass {
            out.sends.push(Message { to: nb, ..next });
        }
    }
    true
}

/// A flooded query at a peer of a flat overlay: a duplicate, or its first copy, answered with a hit when the
/// peer holds `object` and passed on to every other neighbour while the TTL lasts.
#[inline]
/// `churn` is `view.churn()` (a constant where the caller knows it).
fn receive(
    routes: &mut Routes,
    pool: &mut RoutePool,
    ttl: u32,
    msg: &Message,
    object: ObjectId,
    view: View<'_>,
    churn: bool,
) -> Receipt {
    let at = msg.to;
    let first = if churn {
        routes.receive_in_session(at, msg.from, view, pool)
    } else {
        routes.insert_new(at, msg.from, view, pool)
    };
    if !first {
        return Receipt::Duplicate;
    }
    let hit = view
        .answer(at, object, MsgKind::Hit)
        .map(|kind| hit_back(msg, kind));
    let fanout = (msg.hops & HOPS_MASK < ttl).then(|| Fanout {
        next: onward(msg),
        except: msg.from,
    });
    Receipt::First { hit, fanout }
}

/// The hit (genuine or fake: `kind`) a peer sends back to the query's previous hop.
fn hit_back(msg: &Message, kind: MsgKind) -> Message {
    Message {
        to: msg.from,
        from: msg.to,
        query: msg.query,
        hops: msg.hops,
        kind,
    }
}

/// The query as the peer passes it on (`to` is filled in per neighbour), one hop further.
fn onward(msg: &Message) -> Message {
    Message {
        to: 0,
        from: msg.to,
        query: msg.query,
        hops: msg.hops + 1,
        kind: MsgKind::Query,
    }
}

/// A hit moves one hop back towards the source (`msg.from` is the peer that holds the object).
pub(crate) fn route_hit(
    routes: &Routes,
    msg: &Message,
    q: &QueryInfo,
    view: View<'_>,
    want_paths: bool,
    out: &mut Outbox,
) {
    let at = msg.to;
    if at == q.source {
        out.hit_at_source = Some(msg.hops & HOPS_MASK);
        if want_paths {
            hit_path(routes, msg.from, q.source, view, &mut out.hit_path);
        }
    } else {
        match routes.route(at, view) {
            Route::Next(back) => out.sends.push(Message { to: back, ..*msg }),
            // The reverse path broke (churn): the hit is lost.
            Route::Broken => out.lost += 1,
        }
    }
}

/// The peers after `holder` on the reverse path, up to and including the source, as the routing table has it
/// when the hit arrives. Under churn a peer the hit passed may have left, come back and got the query again
/// since, with a newer entry (rare; it only changes which peers path replication gives a copy), and newer
/// entries can even point back along the path: the walk stops after as many steps as the table has peers.
fn hit_path(
    routes: &Routes,
    holder: PeerId,
    source: PeerId,
    view: View<'_>,
    path: &mut Vec<PeerId>,
) {
    let mut p = holder;
    for _ in 0..routes.len() {
        if p == source {
            break;
        }
        match routes.get(p, view) {
            Some(prev) => {
                path.push(prev);
                p = prev;
            }
            None => break,
        }
    }
}

impl Flooding {
    /// A query's receipt at a peer outside two-tier overlays (`churn` is a constant at each call).
    #[inline(always)]
    fn receipt(
        &mut self,
        msg: &Message,
        object: ObjectId,
        view: View<'_>,
        churn: bool,
    ) -> Option<Receipt> {
        if msg.kind != MsgKind::Query || view.two_tier() {
            return None;
        }
        let routes = state_of(&mut self.routes, msg.query);
        Some(receive(
            routes,
            &mut self.pool,
            self.ttl,
            msg,
            object,
            view,
            churn,
        ))
    }

    /// Whether `query`'s table is dense and has `peer` in it (false while sparse).
    #[inline]
    fn seen_dense(&self, query: u32, peer: PeerId) -> bool {
        self.routes
            .get(query as usize)
            .is_some_and(|r| r.seen_dense(peer))
    }
}

impl Protocol for Flooding {
    fn start(&mut self, q: &QueryInfo, view: View<'_>, out: &mut Outbox) {
        self.churn = view.churn();
        let routes = state_of(&mut self.routes, q.query);
        flood_start(routes, &mut self.pool, 0, q, view, out);
    }

    fn handle(&mut self, msg: &Message, q: &QueryInfo, view: View<'_>, out: &mut Outbox) {
        let routes = state_of(&mut self.routes, q.query);
        match msg.kind {
            MsgKind::Query => {
                flood_receive(routes, &mut self.pool, self.ttl, msg, q, view, out);
            }
            _ => route_hit(routes, msg, q, view, self.want_paths, out),
        }
    }

    fn finish(&mut self, query: u32) -> Finished {
        let routes = state_of(&mut self.routes, query);
        let reached = routes.len().saturating_sub(1) as u64;
        routes.clear(&mut self.pool);
        Finished::reached(reached)
    }
}

impl FastPaths for Flooding {
    /// A duplicate (most of a flood's messages) sends nothing.
    #[inline]
    fn may_expand(&self, query: u32, peer: PeerId) -> bool {
        !self.seen_dense(query, peer)
    }

    /// A copy that has used up the TTL sends nothing (most of a short flood's first copies).
    #[inline]
    fn may_forward(&self, hops: u32) -> bool {
        hops & HOPS_MASK < self.ttl
    }

    #[inline]
    fn prefetch(&self, query: u32, peer: PeerId) {
        if let Some(r) = self.routes.get(query as usize) {
            r.prefetch_pred(peer);
        }
    }

    /// A query outside two-tier overlays and without churn: `flood_receive`'s whole step, without an outbox. (Under
    /// churn the engine asks [`FastPaths::receive_query_in_session`]: a call to the churn path from here cost every
    /// first copy a register save, 1.2% of the instructions at 10^4 peers, measured with callgrind.)
    #[inline]
    fn receive_query(
        &mut self,
        msg: &Message,
        object: ObjectId,
        view: View<'_>,
    ) -> Option<Receipt> {
        if self.churn {
            return None;
        }
        self.receipt(msg, object, view, false)
    }

    /// [`FastPaths::receive_query`] under churn.
    #[inline]
    fn receive_query_in_session(
        &mut self,
        msg: &Message,
        object: ObjectId,
        view: View<'_>,
    ) -> Option<Receipt> {
        self.receipt(msg, object, view, true)
    }

    /// A query at a peer that a dense table has seen: `flood_receive` would only mark it a duplicate (never under
    /// churn, where the peer may have left and forgotten the query since: see `Routes::seen_dense`).
    #[inline]
    fn known_duplicate(&self, msg: &Message) -> bool {
        msg.kind == MsgKind::Query && self.seen_dense(msg.query, msg.to)
    }
}

// ---- The strategy kind: keys, defaults, work estimate, construction ----

/// Largest flooding TTL (no overlay has a diameter near this).
pub const MAX_TTL: i64 = 65_535;

/// `kind = "flooding"`: every query floods up to `ttl` hops.
#[derive(Clone, Debug, PartialEq)]
pub struct FloodingSpec {
    pub ttl: u32,
}

impl StrategySpec for FloodingSpec {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn keys(&self) -> Vec<(&'static str, KeyValue)> {
        vec![("ttl", KeyValue::Int(self.ttl.into()))]
    }
    fn messages_per_query(&self, mean_degree: f64, edges: f64) -> f64 {
        // Doubled for hits (an upper bound).
        2.0 * flood_messages(self.ttl, mean_degree, edges)
    }
}

impl BuildProtocol for FloodingSpec {
    const KIND: &'static str = "flooding";
    type Protocol = Flooding;
    fn read(keys: &mut Reader) -> R<Self> {
        let ttl = keys.int_in("ttl", 1, MAX_TTL, &format!("from 1 to {MAX_TTL}"))?;
        Ok(FloodingSpec {
            ttl: ttl.unwrap_or(7) as u32,
        })
    }
    fn build(&self, env: BuildEnv) -> Flooding {
        Flooding::new(self.ttl, env.peers as usize, env.copy_along_path)
    }
}

/// At most how many query messages one flood of `ttl` hops sends on an overlay of mean degree `mean_degree` with
/// `edges` links: the tree-like front, capped by a full flood (2E + 1).
pub fn flood_messages(ttl: u32, mean_degree: f64, edges: f64) -> f64 {
    let branching = (mean_degree - 1.0).max(1.0);
    let mut total = 0.0;
    let mut front = mean_degree;
    for _ in 0..ttl {
        total += front;
        front *= branching;
        if total > 2.0 * edges {
            break;
        }
    }
    total.min(2.0 * edges + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{AddedCopies, Content};
    use crate::graph::{Graph, PeerId};
    use std::collections::VecDeque;

    /// Runs one query to completion in FIFO order (constant latency, no engine) and counts what happened.
    #[derive(Debug, Default, PartialEq)]
    struct Tally {
        queries: usize,
        hits: usize,
        duplicates: usize,
        reached: u64,
        hit_hops: Vec<u32>,
        max_query_hops: u32,
    }

    fn flood(g: &Graph, holders: Vec<Vec<PeerId>>, source: PeerId, ttl: u32) -> Tally {
        let objects = holders.len();
        let c = Content::from_holders(g.len() as u32, holders, vec![1.0; objects]);
        let added = AddedCopies::default();
        let view = View::new(g, &c, &added, None);
        let q = QueryInfo::first_from(source);
        let mut p = Flooding::new(ttl, g.len(), false);
        let mut out = Outbox::default();
        let mut t = Tally::default();
        let mut fifo = VecDeque::new();
        p.start(&q, view, &mut out);
        fifo.extend(out.take_messages(view));
        while let Some(m) = fifo.pop_front() {
            match m.kind {
                MsgKind::Query => {
                    t.queries += 1;
                    t.max_query_hops = t.max_query_hops.max(m.hops);
                    // TTL + hops = initial TTL: the remaining TTL is never negative.
                    assert!(m.hops <= ttl);
                }
                MsgKind::Hit => t.hits += 1,
                other => panic!("flooding sent a {other:?}"),
            }
            // The prefetch hints never say no to a step that sends to neighbours, and say no at the TTL.
            let hint = p.may_expand(0, m.to) && p.may_forward(m.hops);
            out.clear();
            p.handle(&m, &q, view, &mut out);
            t.duplicates += usize::from(out.duplicate);
            if let Some(h) = out.hit_at_source {
                t.hit_hops.push(h);
            }
            let sent = out.take_messages(view);
            let expands = sent.iter().any(|s| s.kind == MsgKind::Query);
            assert!(hint || !expands, "{m:?} fanned out against the hint");
            assert!(
                !(hint && m.kind == MsgKind::Query && m.hops >= ttl),
                "{m:?}"
            );
            fifo.extend(sent);
        }
        t.reached = p.finish(0).reached;
        t
    }

    fn line(n: u32) -> Graph {
        Graph::from_edges(
            n as usize,
            &(0..n - 1).map(|i| (i, i + 1)).collect::<Vec<_>>(),
        )
    }

    #[test]
    fn line_graph_reach_and_counts() {
        // Line 0-1-2-3-4-5, query from 0, TTL 3: reaches 1, 2, 3 with one message each; no duplicates.
        let g = line(6);
        let t = flood(&g, vec![vec![]], 0, 3);
        assert_eq!(
            (t.queries, t.duplicates, t.reached, t.max_query_hops),
            (3, 0, 3, 3)
        );
        // From the middle (2), TTL 2: reaches 0, 1, 3, 4 -> 4 messages.
        let t = flood(&g, vec![vec![]], 2, 2);
        assert_eq!((t.queries, t.reached), (4, 4));
    }

    #[test]
    fn star_graph_from_hub_and_leaf() {
        // Hub 0 with leaves 1..=5.
        let g = Graph::from_edges(6, &(1..6).map(|i| (0, i)).collect::<Vec<_>>());
        let t = flood(&g, vec![vec![]], 0, 1);
        assert_eq!((t.queries, t.reached, t.duplicates), (5, 5, 0));
        // From leaf 1, TTL 1: only the hub. TTL 2: hub forwards to the 4 other leaves.
        let t = flood(&g, vec![vec![]], 1, 1);
        assert_eq!((t.queries, t.reached), (1, 1));
        let t = flood(&g, vec![vec![]], 1, 2);
        assert_eq!((t.queries, t.reached), (5, 5));
    }

    #[test]
    fn a_forwarding_step_fans_out_to_every_neighbour_but_the_sender() {
        // Hub 0 of a star holding the object gets the query from leaf 2: a hit back to 2 first, then the query to
        // leaves 1, 3, 4, 5 in link order, one hop further; at the TTL the hub only answers.
        let g = Graph::from_edges(6, &(1..6).map(|i| (0, i)).collect::<Vec<_>>());
        let c = Content::from_holders(6, vec![vec![0]], vec![1.0]);
        let added = AddedCopies::default();
        let view = View::new(&g, &c, &added, None);
        let q = QueryInfo::first_from(2);
        for (ttl, forwarded) in [(2, vec![1, 3, 4, 5]), (1, vec![])] {
            let mut p = Flooding::new(ttl, 6, false);
            let mut out = Outbox::default();
            p.start(&q, view, &mut out);
            let first = out.take_messages(view);
            assert_eq!(first.len(), 1);
            out.clear();
            p.handle(&first[0], &q, view, &mut out);
            let sent = out.take_messages(view);
            assert_eq!((sent[0].kind, sent[0].to), (MsgKind::Hit, 2));
            let queries: Vec<_> = sent[1..].iter().map(|m| (m.kind, m.to, m.from)).collect();
            let want: Vec<_> = forwarded
                .iter()
                .map(|&to| (MsgKind::Query, to, 0))
                .collect();
            assert_eq!(queries, want, "ttl {ttl}");
            assert!(sent[1..].iter().all(|m| m.hops & HOPS_MASK == 2));
        }
    }

    #[test]
    fn ring_graph_duplicates_where_fronts_meet() {
        // Ring of 6: 0-1-2-3-4-5-0, from 0.
        let g = Graph::from_edges(6, &(0..6).map(|i| (i, (i + 1) % 6)).collect::<Vec<_>>());
        // TTL 2: 0 -> 1, 5 (2 messages); 1 -> 2, 5 -> 4 (2 more); reach 4, no duplicates.
        let t = flood(&g, vec![vec![]], 0, 2);
        assert_eq!((t.queries, t.reached, t.duplicates), (4, 4, 0));
        // TTL 3: 2 -> 3 and 4 -> 3: peer 3 gets the query twice, one duplicate. 6 messages, reach 5.
        let t = flood(&g, vec![vec![]], 0, 3);
        assert_eq!((t.queries, t.reached, t.duplicates), (6, 5, 1));
        // Full flood: 2E - (N-1) = 12 - 5 = 7 messages, 2E - 2(N-1) = 2 duplicates.
        let t = flood(&g, vec![vec![]], 0, 10);
        assert_eq!((t.queries, t.reached, t.duplicates), (7, 5, 2));
    }

    #[test]
    fn tree_hits_retrace_the_reverse_path() {
        // Binary tree: 0 -> 1, 2; 1 -> 3, 4; 2 -> 5, 6. Object on 4 (2 hops from 0) and 6 (2 hops).
        let g = Graph::from_edges(7, &[(0, 1), (0, 2), (1, 3), (1, 4), (2, 5), (2, 6)]);
        let t = flood(&g, vec![vec![4, 6]], 0, 2);
        assert_eq!((t.queries, t.reached), (6, 6));
        assert_eq!(t.hit_hops, vec![2, 2]);
        // hit_messages = sum of the hits' hop counts.
        assert_eq!(t.hits, 4);
        // From leaf 3 with TTL 4: holders 4 (2 hops: 3-1-4) and 6 (4 hops: 3-1-0-2-6).
        let t = flood(&g, vec![vec![4, 6]], 3, 4);
        let mut hops = t.hit_hops.clone();
        hops.sort();
        assert_eq!(hops, vec![2, 4]);
        assert_eq!(t.hits, 6);
        // TTL 3 stops one short of 6.
        let t = flood(&g, vec![vec![4, 6]], 3, 3);
        assert_eq!(t.hit_hops, vec![2]);
    }

    #[test]
    fn a_hit_path_ends_even_where_newer_entries_point_back() {
        // Under churn, 1 got the query from 2 after 2 got it from 1 (1 had left and come back): the table's
        // predecessors then cycle 1 -> 2 -> 1. The path from holder 2 stops within the table's size.
        let g = line(10);
        let c = Content::from_holders(10, vec![vec![]], vec![1.0]);
        let added = AddedCopies::default();
        let view = View::new(&g, &c, &added, None);
        let mut pool = RoutePool::new(10);
        let mut r = Routes::default();
        assert!(r.insert_new(0, 0, view, &mut pool));
        assert!(r.insert_new(1, 2, view, &mut pool));
        assert!(r.insert_new(2, 1, view, &mut pool));
        let mut path = Vec::new();
        hit_path(&r, 2, 0, view, &mut path);
        assert_eq!(path, vec![1, 2, 1]);
        // An acyclic table gives the path up to the source.
        let mut r = Routes::default();
        for (v, pred) in [(0, 0), (1, 0), (2, 1)] {
            assert!(r.insert_new(v, pred, view, &mut pool));
        }
        path.clear();
        hit_path(&r, 2, 0, view, &mut path);
        assert_eq!(path, vec![1, 0]);
    }

    #[test]
    fn no_known_duplicate_under_churn_where_the_peer_may_have_forgotten() {
        use crate::overlay::Overlay;
        use crate::rng::{Stream, stream};
        // A star of 300 peers: the hub's flood reaches 299 leaves, past the dense threshold (256). Leaf 5 leaves
        // and comes back: a copy reaching it again is a first receipt, so the shortcut must not call it a
        // duplicate. Without churn it is one.
        let g = Graph::from_edges(300, &(1..300).map(|i| (0, i)).collect::<Vec<_>>());
        let c = Content::from_holders(300, vec![vec![]], vec![1.0]);
        let added = AddedCopies::default();
        let q = QueryInfo::first_from(0);
        let copy_to_5 = Message {
            to: 5,
            from: 0,
            query: 0,
            hops: 1,
            kind: MsgKind::Query,
        };
        let mut o = Overlay::new(&g, &[true; 300], 1, 0, false, stream(1, Stream::Overlay));
        for churn in [false, true] {
            fn make_view<'a>(
                g: &'a Graph,
                c: &'a Content,
                added: &'a AddedCopies,
                o: &'a Overlay,
                churn: bool,
            ) -> View<'a> {
                let v = View::new(g, c, added, None);
                if churn { v.live(Some(o)) } else { v }
            }
            let mut p = Flooding::new(1, 300, false);
            let mut out = Outbox::default();
            p.start(&q, make_view(&g, &c, &added, &o, churn), &mut out);
            for m in out.take_messages(make_view(&g, &c, &added, &o, churn)) {
                let mut step = Outbox::default();
                p.handle(&m, &q, make_view(&g, &c, &added, &o, churn), &mut step);
                assert!(!step.duplicate);
            }
            // The table is dense; under churn its bits are only a hint.
            assert_eq!(p.seen_dense(0, 5), !churn);
            if churn {
                o.leave(5, 1);
                o.join(5, 2);
                o.leave(7, 3);
                o.join(7, 4);
            }
            assert_eq!(p.known_duplicate(&copy_to_5), !churn, "churn {churn}");
            let mut step = Outbox::default();
            p.handle(
                &copy_to_5,
                &q,
                make_view(&g, &c, &added, &o, churn),
                &mut step,
            );
            assert_eq!(step.duplicate, !churn, "churn {churn}");
            // Peer 5's new link may be to any online peer; it got the copy from the hub in this session.
            p.finish(0);
        }
    }
}
