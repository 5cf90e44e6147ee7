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

use super::flooding::state_of;
use super::routes::{RoutePool, Visited};
use super::walker::{Steps, Walk};
use super::{
    BuildEnv, BuildProtocol, FastPaths, Finished, Message, MsgKind, Outbox, Protocol, QueryInfo,
    Receipt, View,
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
    /// Bits of a peer's id in a step's log entry.
    peer_bits: u32,
    /// Whether steps mark the query's visited set as they arrive (under churn, with droppers: see
    /// [`WalkState::repeats_late`]), so that the event loop fetches the peer's mark ahead.
    marks_on_arrival: bool,
    want_paths: bool,
    /// Repeats may be told at a query's end ([`WalkState::repeats_late`]); off only to test that both ways count
    /// alike.
    repeats_late: bool,
}

#[derive(Default)]
struct WalkState {
    /// Every step of the query's walkers, from its source (a walker's step onto the source is a duplicate, and
    /// the source answers checks).
    steps: Steps,
    /// Where each walker stood when it sent its last check (the source's answer goes there), and, under churn,
    /// that peer's session then (empty without checks).
    waiting: Vec<PeerId>,
    waiting_sessions: Vec<u64>,
    /// The walks of walkers that found the object, loops erased (the way their hits go back), by walker; empty
    /// until one does.
    found: Vec<Walk>,
    /// The fake hits polluters sent, each with the walk as it was then (loops erased): the way it goes back,
    /// while the walker itself goes on. A fake hit carries its index here in `from`.
    fakes: Vec<Walk>,
    /// Peers (other than the source) any walker visited: as they are visited, or, when `repeats_late`, only
    /// at the end, from the log.
    visited: Visited,
    /// Steps are told first receipts as they arrive, and the repeats among them at the end
    /// ([`Finished::late_repeats`]): a step then touches no set. Where a step's fate must be known as it
    /// arrives (under churn, where a peer forgets a query when it leaves; with droppers, which count what is no
    /// repeat; for a traced query), they are told as they arrive.
    repeats_late: bool,
}

impl WalkState {
    /// Walker `w` steps onto `at`: whether the step is told a repeat as it arrives (onto the source; or onto a
    /// peer the query has seen, unless repeats are told at the end). The caller has read the source already (a
    /// second read here cost the walk's fast step about 12 instructions, callgrind).
    #[inline(always)]
    fn step_onto(
        &mut self,
        w: u32,
        at: PeerId,
        source: PeerId,
        view: View<'_>,
        pool: &mut RoutePool,
    ) -> bool {
        let repeat = at == source || !self.repeats_late && !self.visited.visit(at, view, pool);
        self.steps.push(w, at, view);
        repeat
    }

    /// Walker `w` sends a check from `at` and waits there for the answer.
    #[inline]
    fn wait(&mut self, w: u32, at: PeerId, view: View<'_>) {
        self.waiting[w as usize] = at;
        if view.churn() {
            self.waiting_sessions[w as usize] = view.session(at);
        }
    }

    /// Walker `w`'s walk so far, which found something (a copy, or a polluter) at its step `steps`: the walk
    /// with its loops erased, the way its hit goes back.
    fn way_back(&mut self, w: u32, steps: u32, view: View<'_>) -> Walk {
        let mut walk = self.steps.walk_of(w, view);
        walk.found_at = steps;
        walk.erase_loops();
        walk
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
            peer_bits: Steps::peer_bits(peers),
            marks_on_arrival: false,
            want_paths,
            repeats_late: true,
        }
    }

    /// The same walks, every step's repeat told as it arrives (to test that the counts at the end agree).
    #[cfg(test)]
    pub fn repeats_on_arrival(mut self) -> RandomWalk {
        self.repeats_late = false;
        self
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
            state_of(&mut self.states, step.query).wait(step.from, at, view);
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
        self.marks_on_arrival = !self.repeats_late || view.churn() || view.droppers();
        let state = state_of(&mut self.states, q.query);
        state.steps = Steps::starting(self.peer_bits, q.source, view);
        state.visited.clear(&mut self.pool);
        state.visited.start(view);
        state.repeats_late = !self.marks_on_arrival && !q.traced;
        if self.check_every > 0 {
            state.waiting.resize(walkers, q.source);
            if view.churn() {
                state.waiting_sessions.resize(walkers, 0);
            }
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
                out.duplicate = state.step_onto(msg.from, at, q.source, view, &mut self.pool);
                let answer = if at == q.source {
                    None
                } else {
                    view.answer(at, q.object, MsgKind::WalkHit)
                };
                if answer == Some(MsgKind::WalkHit) {
                    let walk = state.way_back(msg.from, steps, view);
                    out.sends
                        .push(hit_back(&walk, msg.from, MsgKind::WalkHit, q));
                    if state.found.is_empty() {
                        state
                            .found
                            .resize_with(self.walkers as usize, Walk::default);
                    }
                    state.found[w] = walk;
                    return;
                }
                if let Some(fake) = answer {
                    // A polluter: a fake hit goes back the way the walk came, and the walker goes on.
                    let walk = state.way_back(msg.from, steps, view);
                    out.sends
                        .push(hit_back(&walk, state.fakes.len() as u32, fake, q));
                    state.fakes.push(walk);
                }
                let next = self.after_visit(msg, q.source, q.object, view);
                out.sends.extend(next);
            }
            MsgKind::Check => {
                // The source answers the walker, wherever it waits.
                let state = state_of(&mut self.states, q.query);
                out.sends.push(answer(msg, state.waiting[w], q.satisfied));
            }
            MsgKind::CheckGo => {
                let state = state_of(&mut self.states, q.query);
                let still_there =
                    !view.churn() || state.waiting_sessions[w] == view.session(state.waiting[w]);
                if still_there {
                    let next = self.walk_on(msg.from, at, msg.hops, q.query, q.object, view);
                    out.sends.extend(next);
                } else {
                    // The peer left while its walker waited for the answer (and came back): the walker is gone.
                    out.lost += 1;
                }
            }
            MsgKind::WalkHit => {
                let state = state_of(&mut self.states, q.query);
                route_back(&state.found[w], msg, view, self.want_paths, out);
            }
            MsgKind::FakeHit => {
                let state = state_of(&mut self.states, q.query);
                route_back(&state.fakes[w], msg, view, self.want_paths, out);
            }
            _ => {} // CheckStop: the walker stops.
        }
    }

    fn finish(&mut self, query: u32) -> Finished {
        let state = state_of(&mut self.states, query);
        let late_repeats = if state.repeats_late {
            count_repeats(&state.steps, &mut state.visited, &mut self.pool)
        } else {
            0
        };
        let reached = state.visited.len() as u64;
        state.visited.clear(&mut self.pool);
        // A query's walks are let go with it (its slot's next query grows its own).
        let visited = std::mem::take(&mut state.visited);
        *state = WalkState {
            visited,
            ..WalkState::default()
        };
        Finished {
            reached,
            late_repeats,
        }
    }
}

/// Marks the peers of every walk of the query in `visited`, and returns how many steps were repeats: onto a
/// peer marked already (steps onto the source were told repeats as they arrived). Every peer counts once as
/// a first receipt whatever the order of the steps, so they are taken in the log's order.
fn count_repeats(steps: &Steps, visited: &mut Visited, pool: &mut RoutePool) -> u64 {
    let source = steps.source();
    steps
        .peers()
        .filter(|&v| v != source && !visited.insert(v, pool))
        .count() as u64
}

/// The hit (genuine or fake: `kind`) a walk that stopped at the end of `walk` (its loops erased) sends back one
/// hop; it carries `id` (the walker, or the fake hit's index) in `from`.
fn hit_back(walk: &Walk, id: u32, kind: MsgKind, q: &QueryInfo) -> Message {
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
fn route_back(walk: &Walk, msg: &Message, view: View<'_>, want_paths: bool, out: &mut Outbox) {
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
        let source = self.states.get(msg.query as usize)?.steps.source();
        if at != source && view.answer(at, object, MsgKind::WalkHit).is_some() {
            return None;
        }
        let duplicate = state_of(&mut self.states, msg.query).step_onto(
            msg.from,
            at,
            source,
            view,
            &mut self.pool,
        );
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
                let position = *state.waiting.get(msg.from as usize)?;
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

    const ONE_SEND_AN_EVENT: bool = true;

    /// The query's state (its log's end, read by every step) and, where steps mark the visited set as they
    /// arrive, the peer's mark (far apart in memory for a walk: many long-lived queries at once).
    #[inline]
    fn prefetch(&self, query: u32, peer: PeerId) {
        if let Some(state) = self.states.get(query as usize) {
            if self.marks_on_arrival {
                state.visited.prefetch(peer);
            } else {
                crate::graph::prefetch(state);
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
        let q = QueryInfo::first_from(0);
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

    /// Walks of one walker (no checks) from peer 0 of the single link 0-1, nothing held: the steps go 1, 0, 1,
    /// 0, ...
    struct SingleLink {
        g: Graph,
        c: Content,
        added: AddedCopies,
    }

    impl SingleLink {
        fn new() -> SingleLink {
            SingleLink {
                g: Graph::from_edges(2, &[(0, 1)]),
                c: Content::from_holders(2, vec![vec![]], vec![1.0]),
                added: AddedCopies::default(),
            }
        }

        fn protocol(ttl: u32) -> RandomWalk {
            RandomWalk::new(
                1,
                ttl,
                0,
                WalkBias::Uniform,
                stream(3, Stream::Protocol),
                2,
                false,
            )
        }

        /// Runs query 0 of `walk` to its end: the steps told repeats on arrival, and what `finish` tells.
        fn walk(&self, walk: &mut RandomWalk, traced: bool) -> (u64, Finished) {
            let view = View::new(&self.g, &self.c, &self.added, None);
            let q = QueryInfo {
                traced,
                ..QueryInfo::first_from(0)
            };
            let mut out = Outbox::default();
            walk.start(&q, view, &mut out);
            let (mut steps, mut repeats) = (0, 0);
            while let Some(msg) = out.sends.pop() {
                assert_eq!(msg.to, 1 - steps % 2, "step {}", steps + 1);
                out.clear();
                walk.handle(&msg, &q, view, &mut out);
                steps += 1;
                repeats += u64::from(out.duplicate);
            }
            assert_eq!(steps, walk.ttl);
            (repeats, walk.finish(0))
        }
    }

    #[test]
    fn repeats_told_at_the_end_add_up_to_those_told_on_arrival() {
        // 7 steps: 1, 0, 1, 0, 1, 0, 1. Peer 1 is reached once; the 6 other steps are repeats (TTL - 1): three
        // onto the source, told as they arrive (the walk keeps no set for them), and the three returns to peer
        // 1, told at the end when the walk may tell them late.
        let link = SingleLink::new();
        let on_arrival = link.walk(&mut SingleLink::protocol(7).repeats_on_arrival(), false);
        assert_eq!(on_arrival, (6, Finished::reached(1)));
        let mut late = SingleLink::protocol(7);
        let told_late = (
            3,
            Finished {
                reached: 1,
                late_repeats: 3,
            },
        );
        assert_eq!(link.walk(&mut late, false), told_late);
        // The next query of the same protocol counts from zero.
        assert_eq!(link.walk(&mut late, false), told_late);
        // A traced query's steps are told as they arrive (the trace shows each step's fate).
        assert_eq!(link.walk(&mut late, true), on_arrival);
    }
}
