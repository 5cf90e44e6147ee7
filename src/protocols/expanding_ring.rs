//! Expanding ring (Lv et al. 2002): flood with the first TTL of `ttls`; if no hit has reached the source after
//! `ring_wait`, flood again with the next, wider TTL, as a fresh query (a new query id: peers that saw the last
//! ring forward the new one again). Messages of every ring count; the peers reached are the union over rings.
//! The ring number travels in the hop field above the 16 bits of hops.

use super::flooding::{HOPS_MASK, flood_receive, flood_start, route_hit, state_of};
use super::flooding::{MAX_TTL, flood_messages};
use super::routes::{RoutePool, Routes};
use super::{
    BuildEnv, BuildProtocol, FastPaths, Finished, Message, MsgKind, Outbox, Protocol, QueryInfo,
    Timer, View,
};
use crate::scenario::reader::{R, Reader, describe};
use crate::scenario::tree::Value;
use crate::scenario::{KeyValue, StrategySpec};

/// The ring a message belongs to: the bits above the hop count.
#[inline]
fn ring_of(msg: &Message) -> usize {
    (msg.hops >> 16) as usize
}

pub struct ExpandingRing {
    ttls: Vec<u32>,
    wait_us: u64,
    states: Vec<RingState>,
    pool: RoutePool,
    want_paths: bool,
}

#[derive(Default)]
struct RingState {
    /// One routing table per ring started.
    rings: Vec<Routes>,
    /// Peers (other than the source) that processed any ring.
    reached: Routes,
}

impl ExpandingRing {
    pub fn new(ttls: Vec<u32>, ring_wait_us: u64, peers: usize, want_paths: bool) -> ExpandingRing {
        ExpandingRing {
            ttls,
            wait_us: ring_wait_us,
            states: Vec::new(),
            pool: RoutePool::new(peers),
            want_paths,
        }
    }

    fn start_ring(&mut self, ring: usize, q: &QueryInfo, view: View<'_>, out: &mut Outbox) {
        let state = state_of(&mut self.states, q.query);
        while state.rings.len() <= ring {
            state.rings.push(Routes::default());
        }
        flood_start(
            &mut state.rings[ring],
            &mut self.pool,
            (ring as u32) << 16,
            q,
            view,
            out,
        );
        if ring + 1 < self.ttls.len() {
            out.timers.push(Timer {
                delay_us: self.wait_us,
                query: q.query,
                node: q.source,
                ring: ring as u32 + 1,
            });
        }
    }
}

impl Protocol for ExpandingRing {
    fn start(&mut self, q: &QueryInfo, view: View<'_>, out: &mut Outbox) {
        state_of(&mut self.states, q.query).reached.start(view);
        self.start_ring(0, q, view, out);
    }

    fn handle(&mut self, msg: &Message, q: &QueryInfo, view: View<'_>, out: &mut Outbox) {
        let ring = ring_of(msg);
        let state = state_of(&mut self.states, q.query);
        match msg.kind {
            MsgKind::Query => {
                let ttl = self.ttls[ring];
                let first = flood_receive(
                    &mut state.rings[ring],
                    &mut self.pool,
                    ttl,
                    msg,
                    q,
                    view,
                    out,
                );
                if first {
                    state.reached.receive(msg.to, msg.to, view, &mut self.pool);
                }
            }
            _ => {
                route_hit(&state.rings[ring], msg, q, view, self.want_paths, out);
                if let Some(h) = out.hit_at_source.as_mut() {
                    *h &= HOPS_MASK;
                }
            }
        }
    }

    fn timer(&mut self, _node: u32, ring: u32, q: &QueryInfo, view: View<'_>, out: &mut Outbox) {
        // No wider ring once a hit has come back.
        if !q.satisfied {
            self.start_ring(ring as usize, q, view, out);
        }
    }

    fn finish(&mut self, query: u32) -> Finished {
        let state = state_of(&mut self.states, query);
        let reached = state.reached.len() as u64;
        state.reached.clear(&mut self.pool);
        for r in &mut state.rings {
            r.clear(&mut self.pool);
        }
        Finished::reached(reached)
    }
}

impl FastPaths for ExpandingRing {
    /// A ring's query at a peer that the ring's dense table has seen: only a duplicate (never under churn, where
    /// the peer may have left and forgotten the query since: see `Routes::seen_dense`).
    #[inline]
    fn known_duplicate(&self, msg: &Message) -> bool {
        let ring = ring_of(msg);
        msg.kind == MsgKind::Query
            && self
                .states
                .get(msg.query as usize)
                .and_then(|s| s.rings.get(ring))
                .is_some_and(|r| r.seen_dense(msg.to))
    }
}

// ---- The strategy kind: keys, defaults, work estimate, construction ----

/// `kind = "expanding-ring"`: floods with each TTL in turn, waiting `ring_wait` seconds for a hit before the
/// next ring.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpandingRingSpec {
    pub ttls: Vec<u32>,
    pub ring_wait: f64,
}

impl StrategySpec for ExpandingRingSpec {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn keys(&self) -> Vec<(&'static str, KeyValue)> {
        vec![
            (
                "ttls",
                KeyValue::Ints(self.ttls.iter().map(|&t| t.into()).collect()),
            ),
            ("ring_wait", KeyValue::Float(self.ring_wait)),
        ]
    }
    fn messages_per_query(&self, mean_degree: f64, edges: f64) -> f64 {
        2.0 * self
            .ttls
            .iter()
            .map(|&t| flood_messages(t, mean_degree, edges))
            .sum::<f64>()
    }
}

impl BuildProtocol for ExpandingRingSpec {
    const KIND: &'static str = "expanding-ring";
    type Protocol = ExpandingRing;
    fn read(keys: &mut Reader) -> R<Self> {
        let ttls = match keys.node("ttls") {
            None => vec![1, 2, 4, 7],
            Some(n) => {
                let Value::Array(items) = &n.value else {
                    return Err(keys.error(
                        "ttls",
                        format!("must be an array of TTLs, got {}", n.value.type_name()),
                    ));
                };
                let mut ttls = Vec::with_capacity(items.len());
                for item in items {
                    match item.value {
                        Value::Integer(i) if (1..=MAX_TTL).contains(&i) => ttls.push(i as u32),
                        ref v => {
                            return Err(keys.error(
                                "ttls",
                                format!(
                                    "every TTL must be an integer from 1 to {MAX_TTL}, got {}",
                                    describe(v)
                                ),
                            ));
                        }
                    }
                }
                if ttls.is_empty() || ttls.len() > 255 || ttls.windows(2).any(|w| w[1] <= w[0]) {
                    return Err(keys.error(
                        "ttls",
                        "must be a list of 1 to 255 increasing TTLs, e.g. [1, 2, 4, 7]",
                    ));
                }
                ttls
            }
        };
        let wait = keys.f64_in("ring_wait", |x| x > 0.0, "a positive number of seconds")?;
        Ok(ExpandingRingSpec {
            ttls,
            ring_wait: wait.unwrap_or(2.0),
        })
    }
    fn build(&self, env: BuildEnv) -> ExpandingRing {
        ExpandingRing::new(
            self.ttls.clone(),
            crate::dist::secs_to_us(self.ring_wait),
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

    /// Runs one query in FIFO order, firing a ring's timer once its flood has died out (as if ring_wait were
    /// longer than any flood). Returns query messages per ring and the hops of hits at the source.
    fn run(g: &Graph, holder: Option<u32>, ttls: &[u32]) -> (Vec<usize>, Vec<u32>, u64) {
        let c = Content::from_holders(
            g.len() as u32,
            vec![holder.into_iter().collect()],
            vec![1.0],
        );
        let added = AddedCopies::default();
        let view = View::new(g, &c, &added, None);
        let mut q = QueryInfo::first_from(0);
        let mut p = ExpandingRing::new(ttls.to_vec(), 1, g.len(), false);
        let mut out = Outbox::default();
        let mut per_ring = vec![0; ttls.len()];
        let mut hits = Vec::new();
        let mut fifo = std::collections::VecDeque::new();
        let mut timers = Vec::new();
        p.start(&q, view, &mut out);
        loop {
            fifo.extend(out.take_messages(view));
            timers.append(&mut out.timers);
            if let Some(m) = fifo.pop_front() {
                if m.kind == MsgKind::Query {
                    per_ring[ring_of(&m)] += 1;
                }
                out.clear();
                p.handle(&m, &q, view, &mut out);
                if let Some(h) = out.hit_at_source {
                    hits.push(h);
                    q.satisfied = true;
                }
            } else if let Some(t) = timers.pop() {
                out.clear();
                p.timer(t.node, t.ring, &q, view, &mut out);
            } else {
                break;
            }
        }
        (per_ring, hits, p.finish(0).reached)
    }

    #[test]
    fn rings_widen_until_a_hit_and_count_every_message() {
        // Line 0-1-2-3-4, object on 3 (3 hops away). TTLs [1, 2, 4]: ring 1 sends 1 message, ring 2 sends 2,
        // ring 3 (TTL 4) sends 4 and finds the object 3 hops away.
        let g = Graph::from_edges(5, &[(0, 1), (1, 2), (2, 3), (3, 4)]);
        let (per_ring, hits, reached) = run(&g, Some(3), &[1, 2, 4]);
        assert_eq!(per_ring, vec![1, 2, 4]);
        assert_eq!(hits, vec![3]);
        assert_eq!(reached, 4, "union over rings");
    }

    #[test]
    fn no_second_ring_once_the_first_succeeds() {
        // Star with hub 0: the object on leaf 2 is found by the first ring (TTL 1): exactly 4 messages, no ring 2.
        let g = Graph::from_edges(5, &[(0, 1), (0, 2), (0, 3), (0, 4)]);
        let (per_ring, hits, reached) = run(&g, Some(2), &[1, 2]);
        assert_eq!(per_ring, vec![4, 0]);
        assert_eq!(hits, vec![1]);
        assert_eq!(reached, 4);
        // Not found at all: both rings run. Ring 2 from the hub: 4 messages again (leaves have no other links).
        let (per_ring, hits, _) = run(&g, None, &[1, 2]);
        assert_eq!(per_ring, vec![4, 4]);
        assert!(hits.is_empty());
    }
}
