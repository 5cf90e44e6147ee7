//! k random walkers (Lv et al. 2002). Each of `walkers` walkers takes up to `ttl` steps, each to a uniformly
//! chosen neighbour (or, with degree bias, one chosen in proportion to its degree, as in Gia). A walker that
//! reaches a peer holding the object stops there and sends a hit back to the source along its path with loops
//! erased, one message per hop. Every `check_every` steps a walker asks the source whether the query is satisfied
//! (one message each way, sent directly) and waits for the answer: it stops if the source has a hit.
//!
//! Message fields: a walker's step carries the walker number in `from` and its step count in `hops`; a walker's
//! hit carries the walker in `from` and, in `hops`, the position of the peer it is sent to on the erased path.
//!
//! On a two-tier overlay walkers move among ultrapeers; an ultrapeer with a leaf holding the object sends the
//! walker to that leaf (one step); a walker from a leaf source first steps to one of its ultrapeers.

use rand::RngExt;
use rustc_hash::FxHashMap;

use super::flooding::state_of;
use super::routes::{RoutePool, Visited};
use super::{
    BuildEnv, BuildProtocol, FastPaths, Message, MsgKind, Outbox, Protocol, QueryInfo, Receipt,
    View,
};
use crate::content::ObjectId;
use crate::graph::PeerId;
use crate::rng::SimRng;
use crate::scenario::reader::{R, Reader};
use crate::scenario::{KeyValue, StrategySpec};

pub struct RandomWalk {
    walkers: u32,
    ttl: u32,
    check_every: u32,
    bias: WalkBias,
    rng: SimRng,
    states: Vec<WalkState>,
    pool: RoutePool,
    want_paths: bool,
}

#[derive(Default)]
struct WalkState {
    /// The query's source (a walker's step onto it is a duplicate, and it answers checks).
    source: PeerId,
    walkers: Vec<Walker>,
    /// The fake hits polluters sent, each with the walk as it was then (loops erased): the way it goes back,
    /// while the walker itself goes on. A fake hit carries its index here in `from`.
    fakes: Vec<Walker>,
    /// Peers (other than the source) any walker visited.
    visited: Visited,
}

/// Steps a walker keeps in its own first cache line before it moves them to its path: a step then writes to the
/// walker, which the event loop fetches ahead, rather than to the end of its path, a second line far away.
const RECENT: usize = 9;

/// A walker: the header of its path and its last steps in one cache line (`repr(C)` keeps them there), the
/// rest (churn's sessions, the step count of a find) in the next.
#[derive(Default)]
#[repr(C, align(64))]
struct Walker {
    /// Every peer the walker stood on, from the source, but the last `recent_len` (in `recent`); once it finds
    /// the object, the loop-erased path (whole).
    path: Vec<PeerId>,
    recent_len: u32,
    recent: [PeerId; RECENT],
    /// Under churn (else empty): the session of each peer of the walk when the walker stood there. A peer that
    /// left since has forgotten the walker, and its links to the path have closed.
    sessions: Vec<u64>,
    /// Steps taken when it found the object.
    found_at: u32,
}

impl Walker {
    fn reset(&mut self, source: PeerId, view: View<'_>) {
        self.path.clear();
        self.recent_len = 0;
        self.sessions.clear();
        self.found_at = 0;
        self.visit(source, view);
    }

    /// Moves to `v`. Loops are erased only when the walk finds the object (rarely), not at every step.
    #[inline]
    fn visit(&mut self, v: PeerId, view: View<'_>) {
        if self.recent_len as usize == RECENT {
            self.path.extend_from_slice(&self.recent);
            self.recent_len = 0;
        }
        self.recent[self.recent_len as usize] = v;
        self.recent_len += 1;
        if view.churn() {
            self.sessions.push(view.session(v));
        }
    }

    /// Moves the last steps to the path, which then holds the whole walk.
    fn flush(&mut self) {
        self.path
            .extend_from_slice(&self.recent[..self.recent_len as usize]);
        self.recent_len = 0;
    }

    /// The peer the walker stands on.
    #[inline]
    fn position(&self) -> Option<PeerId> {
        match self.recent_len {
            0 => self.path.last().copied(),
            n => Some(self.recent[n as usize - 1]),
        }
    }

    /// Whether the peer at `pos` on the path (flushed) is still in the session the walker saw it in.
    fn still_there(&self, pos: usize, view: View<'_>) -> bool {
        !view.churn() || self.sessions[pos] == view.session(self.path[pos])
    }

    /// Replaces the walk by its loop erasure (chronological: each return to a peer cuts the loop since its
    /// last stay there), the path a hit takes back. Under churn a return to a peer in a later session is no
    /// return: the peer had forgotten the walker, and the loop's links back to it have closed.
    fn erase_loops(&mut self) {
        self.flush();
        let session = |i: usize| self.sessions.get(i).copied().unwrap_or(0);
        let mut index: FxHashMap<(PeerId, u64), usize> = FxHashMap::default();
        let mut erased: Vec<(PeerId, u64)> = Vec::with_capacity(self.path.len());
        for (i, &v) in self.path.iter().enumerate() {
            let key = (v, session(i));
            match index.get(&key) {
                Some(&i) => {
                    for p in erased.drain(i + 1..) {
                        index.remove(&p);
                    }
                }
                None => {
                    index.insert(key, erased.len());
                    erased.push(key);
                }
            }
        }
        let stamped = !self.sessions.is_empty();
        self.path = erased.iter().map(|&(v, _)| v).collect();
        if stamped {
            self.sessions = erased.iter().map(|&(_, s)| s).collect();
        }
    }
}

impl RandomWalk {
    pub fn new(
        walkers: u32,
        ttl: u32,
        check_every: u32,
        bias: WalkBias,
        rng: SimRng,
        peers: usize,
        want_paths: bool,
    ) -> RandomWalk {
        RandomWalk {
            walkers,
            ttl,
            check_every,
            bias,
            rng,
            states: Vec::new(),
            pool: RoutePool::new(peers),
            want_paths,
        }
    }

    /// The walker's next peer from `at`, or `None` if it has nowhere to go.
    fn next_hop(&mut self, at: PeerId, object: ObjectId, view: View<'_>) -> Option<PeerId> {
        let nbs = view.neighbours(at);
        if view.two_tier() && !view.is_leaf(at) {
            // The query routing protocol: an ultrapeer knows its leaves' content.
            if let Some(&leaf) = nbs
                .iter()
                .find(|&&nb| view.is_leaf(nb) && view.advertises(nb, object))
            {
                return Some(leaf);
            }
        }
        // On a two-tier overlay walkers move among ultrapeers (a leaf's neighbours all are).
        let eligible = |nb: PeerId| !view.two_tier() || !view.is_leaf(nb);
        match self.bias {
            WalkBias::Uniform => {
                if view.two_tier() {
                    let count = nbs.iter().filter(|&&nb| eligible(nb)).count();
                    if count == 0 {
                        return None;
                    }
                    let k = self.rng.random_range(0..count);
                    nbs.iter().copied().filter(|&nb| eligible(nb)).nth(k)
                } else if nbs.is_empty() {
                    None
                } else {
                    Some(nbs[self.rng.random_range(0..nbs.len())])
                }
            }
            WalkBias::Degree => {
                let total: u64 = nbs
                    .iter()
                    .filter(|&&nb| eligible(nb))
                    .map(|&nb| view.degree(nb) as u64)
                    .sum();
                if total == 0 {
                    return None;
                }
                let mut x = self.rng.random_range(0..total);
                for &nb in nbs.iter().filter(|&&nb| eligible(nb)) {
                    let d = view.degree(nb) as u64;
                    if x < d {
                        return Some(nb);
                    }
                    x -= d;
                }
                None
            }
        }
    }

    /// Walker `walker`'s step from `at`, its `steps + 1`-th, or `None` if it has nowhere to go. (Inlined: out of
    /// line, with the neighbour choice inlined into it, it cost a walk 3% more instructions, callgrind.)
    #[inline]
    fn walk_on(
        &mut self,
        walker: u32,
        at: PeerId,
        steps: u32,
        query: u32,
        object: ObjectId,
        view: View<'_>,
    ) -> Option<Message> {
        self.next_hop(at, object, view).map(|to| Message {
            to,
            from: walker,
            query,
            hops: steps + 1,
            kind: MsgKind::Walk,
        })
    }

    /// What a walker sends once its step `step` (a `Walk`) found nothing at its peer: nothing when out of steps
    /// or on a leaf (walkers do not walk through leaves), its check with `source` every `check_every` steps, else
    /// its next step.
    #[inline]
    fn after_visit(
        &mut self,
        step: &Message,
        source: PeerId,
        object: ObjectId,
        view: View<'_>,
    ) -> Option<Message> {
        let (at, steps) = (step.to, step.hops);
        if steps >= self.ttl || view.is_leaf(at) && at != source {
            None
        } else if self.check_every > 0 && steps.is_multiple_of(self.check_every) {
            Some(Message {
                to: source,
                hops: steps,
                kind: MsgKind::Check,
                ..*step
            })
        } else {
            self.walk_on(step.from, at, steps, step.query, object, view)
        }
    }
}

/// The source's answer to a walker's `check`, sent to where the walker waits: stop once the query is satisfied,
/// else go on.
fn answer(check: &Message, position: PeerId, satisfied: bool) -> Message {
    let kind = if satisfied {
        MsgKind::CheckStop
    } else {
        MsgKind::CheckGo
    };
    Message {
        to: position,
        kind,
        ..*check
    }
}

impl Protocol for RandomWalk {
    fn start(&mut self, q: &QueryInfo, view: View<'_>, out: &mut Outbox) {
        let walkers = self.walkers as usize;
        let state = state_of(&mut self.states, q.query);
        state.source = q.source;
        state.visited.clear(&mut self.pool);
        state.visited.start(view);
        state.walkers.resize_with(walkers, Walker::default);
        for w in &mut state.walkers {
            w.reset(q.source, view);
        }
        for w in 0..self.walkers {
            let first = self.walk_on(w, q.source, 0, q.query, q.object, view);
            out.sends.extend(first);
        }
    }

    fn handle(&mut self, msg: &Message, q: &QueryInfo, view: View<'_>, out: &mut Outbox) {
        let at = msg.to;
        let w = msg.from as usize;
        match msg.kind {
            MsgKind::Walk => {
                let steps = msg.hops;
                let state = state_of(&mut self.states, q.query);
                // A step onto a peer that has seen the query (the source included) is a duplicate: walker steps
                // are query messages (SPEC), so steps = first visits + duplicates.
                out.duplicate = at == q.source || !state.visited.visit(at, view, &mut self.pool);
                let walker = &mut state.walkers[w];
                walker.visit(at, view);
                let answer = if at == q.source {
                    None
                } else {
                    view.answer(at, q.object, MsgKind::WalkHit)
                };
                if answer == Some(MsgKind::WalkHit) {
                    walker.found_at = steps;
                    walker.erase_loops();
                    out.sends
                        .push(hit_back(walker, msg.from, MsgKind::WalkHit, q));
                    return;
                }
                if let Some(fake) = answer {
                    // A polluter: a fake hit goes back the way the walk came, and the walker goes on.
                    walker.flush();
                    let mut path = Walker {
                        path: walker.path.clone(),
                        sessions: walker.sessions.clone(),
                        found_at: steps,
                        ..Walker::default()
                    };
                    path.erase_loops();
                    out.sends
                        .push(hit_back(&path, state.fakes.len() as u32, fake, q));
                    state.fakes.push(path);
                }
                let next = self.after_visit(msg, q.source, q.object, view);
                out.sends.extend(next);
            }
            MsgKind::Check => {
                // The source answers the walker, wherever it waits.
                let state = state_of(&mut self.states, q.query);
                let position = state.walkers[w].position().unwrap_or(q.source);
                out.sends.push(answer(msg, position, q.satisfied));
            }
            MsgKind::CheckGo => {
                let state = state_of(&mut self.states, q.query);
                let walker = &mut state.walkers[w];
                walker.flush();
                if walker.still_there(walker.path.len() - 1, view) {
                    let next = self.walk_on(msg.from, at, msg.hops, q.query, q.object, view);
                    out.sends.extend(next);
                } else {
                    // The peer left while its walker waited for the answer (and came back): the walker is gone.
                    out.lost += 1;
                }
            }
            MsgKind::WalkHit => {
                let state = state_of(&mut self.states, q.query);
                route_back(&state.walkers[w], msg, view, self.want_paths, out);
            }
            MsgKind::FakeHit => {
                let state = state_of(&mut self.states, q.query);
                route_back(&state.fakes[w], msg, view, self.want_paths, out);
            }
            _ => {} // CheckStop: the walker stops.
        }
    }

    fn finish(&mut self, query: u32) -> u64 {
        let state = state_of(&mut self.states, query);
        let reached = state.visited.len() as u64;
        state.visited.clear(&mut self.pool);
        state.fakes.clear();
        for w in &mut state.walkers {
            w.path.clear();
            w.path.shrink_to(64);
            w.recent_len = 0;
            w.sessions.clear();
            w.sessions.shrink_to(64);
        }
        reached
    }
}

/// The hit (genuine or fake: `kind`) a walk that stopped at the end of `walk` (its loops erased) sends back one
/// hop; it carries `id` (the walker, or the fake hit's index) in `from`.
fn hit_back(walk: &Walker, id: u32, kind: MsgKind, q: &QueryInfo) -> Message {
    let back = walk.path.len() - 2;
    Message {
        to: walk.path[back],
        from: id,
        query: q.query,
        hops: back as u32,
        kind,
    }
}

/// A hit moves one hop back along `walk`, its loop-erased path (`msg.hops` is its position there).
fn route_back(walk: &Walker, msg: &Message, view: View<'_>, want_paths: bool, out: &mut Outbox) {
    let at = msg.to;
    let pos = msg.hops as usize;
    if pos == 0 {
        out.hit_at_source = Some(walk.found_at);
        if want_paths {
            // Every peer the hit passed through, source included (the holder is last on the path).
            let holder = walk.path.len() - 1;
            out.hit_path.extend(walk.path[..holder].iter().rev());
        }
    } else if walk.still_there(pos, view) && walk.still_there(pos - 1, view) {
        // Neither end left since the walker passed, so the link it took still stands.
        debug_assert!(view.linked(at, walk.path[pos - 1]));
        out.sends.push(Message {
            to: walk.path[pos - 1],
            hops: pos as u32 - 1,
            ..*msg
        });
    } else {
        // The erased path broke (churn): the hit is lost.
        out.lost += 1;
    }
}

impl FastPaths for RandomWalk {
    /// A walker's plain step on a flat overlay without churn: `handle`'s `Walk` arm when the peer gives no
    /// answer (genuine or fake), without an outbox. The answer is asked first, before any state changes, so that
    /// a step that finds something takes the general step whole.
    #[inline]
    fn receive_query(
        &mut self,
        msg: &Message,
        object: ObjectId,
        view: View<'_>,
    ) -> Option<Receipt> {
        if msg.kind != MsgKind::Walk || view.two_tier() {
            return None;
        }
        let at = msg.to;
        let source = self.states.get(msg.query as usize)?.source;
        if at != source && view.answer(at, object, MsgKind::WalkHit).is_some() {
            return None;
        }
        let state = state_of(&mut self.states, msg.query);
        let duplicate = at == source || !state.visited.visit(at, view, &mut self.pool);
        state.walkers[msg.from as usize].visit(at, view);
        let next = self.after_visit(msg, source, object, view);
        Some(Receipt::Step { duplicate, next })
    }

    /// A walker's check at its source and the answer, as `handle` takes them. Not under churn, where a walker
    /// whose peer left while it waited is lost (the general step counts it).
    #[inline]
    fn relay(&mut self, msg: &Message, q: &QueryInfo, view: View<'_>) -> Option<Receipt> {
        let next = match msg.kind {
            MsgKind::Check => {
                let state = self.states.get(msg.query as usize)?;
                let position = state.walkers[msg.from as usize].position()?;
                Some(answer(msg, position, q.satisfied))
            }
            MsgKind::CheckGo if !view.churn() => {
                self.walk_on(msg.from, msg.to, msg.hops, msg.query, q.object, view)
            }
            MsgKind::CheckStop => None,
            _ => return None,
        };
        Some(Receipt::Relay { next })
    }

    /// The peer's mark and the walker (a step writes both; they are far apart in memory for a walk, each query's
    /// walkers and marks scattered over many long-lived queries).
    #[inline]
    fn prefetch(&self, query: u32, peer: PeerId, from: u32) {
        if let Some(state) = self.states.get(query as usize) {
            state.visited.prefetch(peer);
            if let Some(w) = state.walkers.get(from as usize) {
                crate::graph::prefetch(w);
            }
        }
    }
}

// ---- The strategy kind: keys, defaults, work estimate, construction ----

/// Largest walker TTL (hop counts travel in 24 bits).
pub const MAX_WALK_TTL: i64 = 10_000_000;

/// `kind = "random-walk"`: `walkers` walkers of up to `ttl` steps; every `check_every` steps a walker asks the
/// source whether to go on (0 = never).
#[derive(Clone, Debug, PartialEq)]
pub struct RandomWalkSpec {
    pub walkers: u32,
    pub ttl: u32,
    pub check_every: u32,
    pub bias: WalkBias,
}

/// How a walker picks its next peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WalkBias {
    Uniform,
    /// Next hop chosen in proportion to the neighbour's degree.
    Degree,
}

impl WalkBias {
    pub fn name(&self) -> &'static str {
        match self {
            WalkBias::Uniform => "uniform",
            WalkBias::Degree => "degree",
        }
    }
}

impl StrategySpec for RandomWalkSpec {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn keys(&self) -> Vec<(&'static str, KeyValue)> {
        vec![
            ("walkers", KeyValue::Int(self.walkers.into())),
            ("ttl", KeyValue::Int(self.ttl.into())),
            ("check_every", KeyValue::Int(self.check_every.into())),
            ("bias", KeyValue::Str(self.bias.name())),
        ]
    }
    fn messages_per_query(&self, _mean_degree: f64, _edges: f64) -> f64 {
        // A check every `check_every` steps is a question and an answer.
        let checks = if self.check_every > 0 {
            2.0 / self.check_every as f64
        } else {
            0.0
        };
        self.walkers as f64 * self.ttl as f64 * (1.0 + checks)
    }
}

impl BuildProtocol for RandomWalkSpec {
    const KIND: &'static str = "random-walk";
    type Protocol = RandomWalk;
    fn read(keys: &mut Reader) -> R<Self> {
        let walkers = keys.int_in("walkers", 1, 100_000, "from 1 to 100000")?;
        let ttl = keys.int_in("ttl", 1, MAX_WALK_TTL, &format!("from 1 to {MAX_WALK_TTL}"))?;
        let check_every = keys.int_in(
            "check_every",
            0,
            MAX_WALK_TTL,
            "zero (never) or a positive number of steps",
        )?;
        let bias = match keys.opt_str("bias")? {
            None | Some("uniform") => WalkBias::Uniform,
            Some("degree") => WalkBias::Degree,
            Some(other) => {
                return Err(keys.error(
                    "bias",
                    format!("unknown bias \"{other}\" (allowed: uniform, degree)"),
                ));
            }
        };
        Ok(RandomWalkSpec {
            walkers: walkers.unwrap_or(16) as u32,
            ttl: ttl.unwrap_or(1024) as u32,
            check_every: check_every.unwrap_or(4) as u32,
            bias,
        })
    }
    fn build(&self, env: BuildEnv) -> RandomWalk {
        RandomWalk::new(
            self.walkers,
            self.ttl,
            self.check_every,
            self.bias,
            env.rng,
            env.peers as usize,
            env.copy_along_path,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{AddedCopies, Content};
    use crate::graph::Graph;
    use crate::rng::{Stream, stream};

    #[test]
    fn degree_biased_walk_visits_in_proportion_to_degree_times_neighbour_degrees() {
        // Stepping to neighbour w with probability d_w / S_v (S_v = sum of v's neighbours' degrees) is a
        // reversible chain with pi_v d_w / S_v symmetric when pi_v ~ d_v S_v. An irregular 7-peer graph, 2
        // million steps: visit shares are within 2% of pi (the chain mixes in a few steps, so the standard
        // error of each share is about 0.1%).
        let g = Graph::from_edges(
            7,
            &[
                (0, 1),
                (0, 2),
                (0, 3),
                (0, 4),
                (1, 2),
                (2, 5),
                (3, 4),
                (4, 5),
                (5, 6),
            ],
        );
        let c = Content::from_holders(7, vec![vec![]], vec![1.0]);
        let added = AddedCopies::default();
        let view = View::new(&g, &c, &added, None);
        let mut walk = RandomWalk::new(
            1,
            1,
            0,
            WalkBias::Degree,
            stream(3, Stream::Protocol),
            7,
            false,
        );
        let q = QueryInfo {
            query: 0,
            source: 0,
            object: 0,
            satisfied: false,
            measured: true,
        };
        let steps = 2_000_000;
        let mut visits = [0u64; 7];
        let mut at = 0;
        for _ in 0..steps {
            at = walk.next_hop(at, q.object, view).unwrap();
            visits[at as usize] += 1;
        }
        let weight: Vec<f64> = (0..7)
            .map(|v| {
                let s: usize = g.neighbours(v).iter().map(|&w| g.degree(w)).sum();
                (g.degree(v) * s) as f64
            })
            .collect();
        let total: f64 = weight.iter().sum();
        for v in 0..7 {
            let want = weight[v] / total;
            let got = visits[v] as f64 / steps as f64;
            assert!(
                (got - want).abs() < 0.02 * want,
                "peer {v}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn a_walkers_last_steps_reach_its_path_in_order() {
        // More steps than the walker keeps beside its path: every prefix of the walk reads back whole, and the
        // walker stands where it stepped last.
        let g = Graph::from_edges(50, &[]);
        let c = Content::from_holders(50, vec![vec![]], vec![1.0]);
        let added = AddedCopies::default();
        let view = View::new(&g, &c, &added, None);
        let mut w = Walker::default();
        w.reset(0, view);
        let mut walk = vec![0];
        for v in 1..3 * RECENT as PeerId + 2 {
            w.visit(v, view);
            walk.push(v);
            assert_eq!(w.position(), Some(v));
            let mut copy = Walker {
                path: w.path.clone(),
                recent_len: w.recent_len,
                recent: w.recent,
                ..Walker::default()
            };
            copy.flush();
            assert_eq!(copy.path, walk);
            assert_eq!(copy.position(), Some(v));
        }
        // A loop that closes across the kept steps: 0..=27, then back to 3, then 40.
        w.visit(3, view);
        w.visit(40, view);
        w.erase_loops();
        assert_eq!(w.path, vec![0, 1, 2, 3, 40]);
        assert_eq!(std::mem::size_of::<Walker>(), 128);
    }

    #[test]
    fn loop_erasure_keeps_a_simple_path() {
        let g = Graph::from_edges(7, &[]);
        let c = Content::from_holders(7, vec![vec![]], vec![1.0]);
        let added = AddedCopies::default();
        let view = View::new(&g, &c, &added, None);
        let mut w = Walker::default();
        w.reset(0, view);
        for v in [1, 2, 3, 1, 4, 5, 4, 6] {
            w.visit(v, view);
        }
        w.erase_loops();
        // 0-1-2-3-1 erases 2, 3; 1-4-5-4 erases 5.
        assert_eq!(w.path, vec![0, 1, 4, 6]);
        assert!(w.sessions.is_empty(), "no sessions without churn");
        w.reset(0, view);
        for v in [1, 2, 0, 3] {
            w.visit(v, view);
        }
        w.erase_loops();
        assert_eq!(w.path, vec![0, 3]);
        // Under churn, a return to peer 1 in a later session (2) closes no loop: 1 had forgotten the walker.
        w.path = vec![0, 1, 2, 1, 3, 2];
        w.sessions = vec![0, 0, 0, 2, 0, 0];
        w.erase_loops();
        assert_eq!(w.path, vec![0, 1, 2]);
        assert_eq!(w.sessions, vec![0, 0, 0]);
        w.path = vec![0, 1, 2, 1, 3];
        w.sessions = vec![0, 0, 0, 2, 0];
        w.erase_loops();
        assert_eq!(w.path, vec![0, 1, 2, 1, 3]);
        assert_eq!(w.sessions, vec![0, 0, 0, 2, 0]);
    }
}
