//! Broadcast: a payload every online peer should get (a Bitcoin transaction or block), issued like a query but
//! for no object. Three ways to spread it:
//! - `flood`: a peer's first copy goes on to every neighbour but the one it came from;
//! - `gossip`: to `min(fanout, neighbours - 1)` distinct neighbours drawn at random, never the sender (the source
//!   draws among all its neighbours); where that is every candidate, no draw is made, so a gossip whose fanout
//!   covers every link is the flood, message for message;
//! - `announce` (Bitcoin's inv/getdata): a peer that has the payload sends a small inv to every neighbour but the
//!   one it fetched from; a peer fetches the payload (getdata) from the first peer that announced it, and fetches
//!   again from a later announcer only if that one has left or its link closed (churn).
//!
//! The payload travels as [`MsgKind::Payload`] (`payload_bytes` on the wire). A peer that gets it for the first
//! time says so in its outbox (`covered`), and the engine measures the coverage. `ttl` limits the hops when given.

use rand::RngExt;

use super::routes::{RoutePool, Routes, Visited};
use super::{
    BuildEnv, BuildProtocol, Fanout, FastPaths, Finished, Message, MsgKind, Outbox, Protocol,
    QueryInfo, View,
};
use crate::graph::PeerId;
use crate::rng::SimRng;
use crate::scenario::reader::{R, Reader};
use crate::scenario::{KeyValue, StrategySpec};

/// Hop counts travel in 24 bits of a packed event: a broadcast without a hop limit stops counting there.
const MAX_HOPS: u32 = (1 << 24) - 1;

/// How a broadcast spreads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Flood,
    Gossip,
    Announce,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Flood => "flood",
            Mode::Gossip => "gossip",
            Mode::Announce => "announce",
        }
    }
}

/// The broadcast protocol. Per broadcast: the peers that have the payload, and (announce) the peers that asked
/// for it and whom they asked.
pub struct Broadcast {
    mode: Mode,
    fanout: u32,
    /// Hop limit; `u32::MAX` for none.
    ttl: u32,
    have: Vec<Visited>,
    asked: Vec<Routes>,
    pool: RoutePool,
    rng: SimRng,
    /// A gossiping peer's candidates, drawn from in place.
    candidates: Vec<PeerId>,
}

impl Broadcast {
    /// `ttl` 0: no hop limit.
    pub fn new(mode: Mode, fanout: u32, ttl: u32, peers: usize, rng: SimRng) -> Broadcast {
        Broadcast {
            mode,
            fanout,
            ttl: if ttl == 0 { u32::MAX } else { ttl },
            have: Vec::new(),
            asked: Vec::new(),
            pool: RoutePool::new(peers),
            rng,
            candidates: Vec::new(),
        }
    }

    /// `at` has the payload, which reached it `hops` hops from the source (0 at the source), having come from
    /// `from` (`at` itself at the source): it passes it on as its mode says, while the hop limit allows.
    fn pass_on(
        &mut self,
        at: PeerId,
        from: PeerId,
        hops: u32,
        query: u32,
        view: View<'_>,
        out: &mut Outbox,
    ) {
        if hops >= self.ttl {
            return;
        }
        let next = |kind| Message {
            to: 0,
            from: at,
            query,
            hops: (hops + 1).min(MAX_HOPS),
            kind,
        };
        match self.mode {
            Mode::Flood => {
                out.fanout = Some(Fanout {
                    next: next(MsgKind::Payload),
                    except: from,
                })
            }
            Mode::Announce => {
                out.fanout = Some(Fanout {
                    next: next(MsgKind::Inv),
                    except: from,
                })
            }
            Mode::Gossip => {
                self.candidates.clear();
                self.candidates
                    .extend(view.neighbours(at).iter().copied().filter(|&p| p != from));
                let k = (self.fanout as usize).min(self.candidates.len());
                if k < self.candidates.len() {
                    // The first k of a partial Fisher-Yates shuffle: k distinct neighbours, uniformly.
                    for i in 0..k {
                        let j = self.rng.random_range(i..self.candidates.len());
                        self.candidates.swap(i, j);
                    }
                }
                let msg = next(MsgKind::Payload);
                out.sends
                    .extend(self.candidates[..k].iter().map(|&to| Message { to, ..msg }));
            }
        }
    }
}

impl Protocol for Broadcast {
    fn start(&mut self, q: &QueryInfo, view: View<'_>, out: &mut Outbox) {
        let have = super::flooding::state_of(&mut self.have, q.query);
        have.clear(&mut self.pool);
        have.start(view);
        have.visit(q.source, view, &mut self.pool);
        if self.mode == Mode::Announce {
            let asked = super::flooding::state_of(&mut self.asked, q.query);
            asked.clear(&mut self.pool);
            asked.start(view);
        }
        self.pass_on(q.source, q.source, 0, q.query, view, out);
    }

    fn handle(&mut self, msg: &Message, q: &QueryInfo, view: View<'_>, out: &mut Outbox) {
        let at = msg.to;
        let query = q.query;
        match msg.kind {
            MsgKind::Payload => {
                let have = super::flooding::state_of(&mut self.have, query);
                if !have.visit(at, view, &mut self.pool) {
                    out.duplicate = true;
                    return;
                }
                out.covered = true;
                self.pass_on(at, msg.from, msg.hops, query, view, out);
            }
            MsgKind::Inv => {
                let have = super::flooding::state_of(&mut self.have, query);
                if have.holds_now(at, view) {
                    out.duplicate = true;
                    return;
                }
                let asked = super::flooding::state_of(&mut self.asked, query);
                if !asked.receive(at, msg.from, view, &mut self.pool) {
                    // Asked already: ask this announcer instead only if the one asked has gone.
                    let gone = asked
                        .get(at, view)
                        .is_none_or(|p| !view.online(p) || !view.linked(at, p));
                    if !gone {
                        out.duplicate = true;
                        return;
                    }
                    asked.redirect(at, msg.from, view);
                }
                out.sends.push(Message {
                    to: msg.from,
                    from: at,
                    query,
                    hops: msg.hops,
                    kind: MsgKind::GetData,
                });
            }
            MsgKind::GetData => {
                // Only a peer that has the payload announces it; one that left since has forgotten it.
                let have = super::flooding::state_of(&mut self.have, query);
                if have.holds_now(at, view) {
                    out.sends.push(Message {
                        to: msg.from,
                        from: at,
                        query,
                        hops: msg.hops,
                        kind: MsgKind::Payload,
                    });
                } else {
                    out.lost += 1;
                }
            }
            other => unreachable!("a broadcast sends no {} messages", other.name()),
        }
    }

    fn finish(&mut self, query: u32) -> Finished {
        let have = super::flooding::state_of(&mut self.have, query);
        let reached = have.len().saturating_sub(1) as u64;
        have.clear(&mut self.pool);
        if let Some(asked) = self.asked.get_mut(query as usize) {
            asked.clear(&mut self.pool);
        }
        Finished::reached(reached)
    }
}

impl FastPaths for Broadcast {}

/// The keys of a `kind = "broadcast"` strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct BroadcastSpec {
    pub mode: Mode,
    /// Gossip only.
    pub fanout: u32,
    /// Hop limit, 0 = none.
    pub ttl: u32,
    pub payload_bytes: u64,
}

impl StrategySpec for BroadcastSpec {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn keys(&self) -> Vec<(&'static str, KeyValue)> {
        let mut keys = vec![("mode", KeyValue::Str(self.mode.name()))];
        if self.mode == Mode::Gossip {
            keys.push(("fanout", KeyValue::Int(self.fanout.into())));
        }
        keys.push(("ttl", KeyValue::Int(self.ttl.into())));
        keys.push(("payload_bytes", KeyValue::Int(self.payload_bytes as i64)));
        keys
    }
    fn messages_per_query(&self, mean_degree: f64, edges: f64) -> f64 {
        let full_flood = 2.0 * edges + 1.0;
        let spread = match self.mode {
            Mode::Flood => full_flood,
            Mode::Gossip => full_flood.min(edges / mean_degree.max(1.0) * 2.0 * self.fanout as f64),
            // An inv over every link, a getdata and a payload per peer.
            Mode::Announce => full_flood + 4.0 * edges / mean_degree.max(1.0),
        };
        if self.ttl == 0 {
            return spread;
        }
        spread.min(super::flooding::flood_messages(self.ttl, mean_degree, edges) * 3.0)
    }
    fn searches(&self) -> bool {
        false
    }
    fn payload_bytes(&self) -> u64 {
        self.payload_bytes
    }
}

/// The largest payload: 4 GiB (a message's bytes are counted in 64 bits; transmission times in microseconds).
const MAX_PAYLOAD: i64 = 1 << 32;

impl BuildProtocol for BroadcastSpec {
    const KIND: &'static str = crate::results::run::BROADCAST_KIND;
    type Protocol = Broadcast;
    fn read(keys: &mut Reader) -> R<Self> {
        let mode = match keys.opt_str("mode")? {
            None | Some("flood") => Mode::Flood,
            Some("gossip") => Mode::Gossip,
            Some("announce") => Mode::Announce,
            Some(other) => {
                return Err(keys.error(
                    "mode",
                    format!("unknown mode \"{other}\" (allowed: flood, gossip, announce)"),
                ));
            }
        };
        let fanout = keys.int_in("fanout", 1, 1_000_000, "from 1 to 1000000")?;
        let fanout = match (mode, fanout) {
            (Mode::Gossip, f) => f.unwrap_or(3) as u32,
            (_, Some(_)) => {
                return Err(keys.error(
                    "fanout",
                    format!(
                        "only mode = \"gossip\" has a fanout (mode \"{}\" sends to every neighbour)",
                        mode.name()
                    ),
                ));
            }
            (_, None) => 0,
        };
        let ttl = keys.int_in(
            "ttl",
            0,
            MAX_HOPS as i64,
            &format!("0 (no hop limit) or up to {MAX_HOPS}"),
        )?;
        let payload = keys.int_in(
            "payload_bytes",
            1,
            MAX_PAYLOAD,
            &format!("from 1 to {MAX_PAYLOAD} bytes"),
        )?;
        Ok(BroadcastSpec {
            mode,
            fanout,
            ttl: ttl.unwrap_or(0) as u32,
            payload_bytes: payload.unwrap_or(1000) as u64,
        })
    }
    fn build(&self, env: BuildEnv) -> Broadcast {
        Broadcast::new(
            self.mode,
            self.fanout,
            self.ttl,
            env.peers as usize,
            env.rng,
        )
    }
}
