//! The client-server baseline: every query goes to a central index of `servers` servers sharing one FIFO queue,
//! with exponential service times of rate `service_rate` (an M/M/c queue; M/M/1 for one server under Poisson
//! load). The request and the answer each take one network delay. The index answers with a hit when some peer
//! holds the object. With `queue_limit`, a request that finds that many already waiting is dropped.
//!
//! The index is node `peers` (servers are nodes peers .. peers + servers - 1 for load accounting; the server
//! that serves a request gets its load).

use std::collections::VecDeque;

use rand_distr::{Distribution, Exp};

use super::{
    BuildEnv, BuildProtocol, FastPaths, Finished, Message, MsgKind, Outbox, Protocol,
    ProtocolStats, QueryInfo, Timer, View,
};
use crate::rng::SimRng;
use crate::scenario::reader::{R, Reader};
use crate::scenario::{KeyValue, StrategySpec};

pub struct ClientServer {
    servers: u32,
    service: Exp<f64>,
    queue_limit: usize,
    rng: SimRng,
    /// Which query each server is serving.
    serving: Vec<Option<u32>>,
    /// Requests waiting: (query id, whether the query counts in the metrics).
    waiting: VecDeque<(u32, bool)>,
    /// Server-seconds spent on measured queries.
    busy_s: f64,
}

impl ClientServer {
    pub fn new(
        servers: u32,
        service_rate: f64,
        queue_limit: Option<u32>,
        rng: SimRng,
    ) -> ClientServer {
        ClientServer {
            servers,
            // Validation guarantees a positive rate.
            service: Exp::new(service_rate)
                .unwrap_or_else(|_| Exp::new(1.0).expect("1 is a valid rate")),
            queue_limit: queue_limit.map_or(usize::MAX, |q| q as usize),
            rng,
            serving: vec![None; servers as usize],
            waiting: VecDeque::new(),
            busy_s: 0.0,
        }
    }

    /// Server `server` starts serving `query`: a service-time timer, and one unit of load for the server.
    fn serve(
        &mut self,
        server: usize,
        query: u32,
        measured: bool,
        view: View<'_>,
        out: &mut Outbox,
    ) {
        self.serving[server] = Some(query);
        let secs = self.service.sample(&mut self.rng);
        if measured {
            self.busy_s += secs;
        }
        out.timers.push(Timer {
            delay_us: crate::dist::secs_to_us(secs),
            query,
            node: view.peers() + server as u32,
            ring: 0,
        });
        out.served_by = Some((view.peers() + server as u32, measured));
    }
}

impl Protocol for ClientServer {
    fn start(&mut self, q: &QueryInfo, view: View<'_>, out: &mut Outbox) {
        out.sends.push(Message {
            to: view.peers(),
            from: q.source,
            query: q.query,
            hops: 1,
            kind: MsgKind::Request,
        });
    }

    fn handle(&mut self, msg: &Message, q: &QueryInfo, view: View<'_>, out: &mut Outbox) {
        match msg.kind {
            MsgKind::Request => {
                if let Some(free) = self.serving.iter().position(Option::is_none) {
                    self.serve(free, q.query, q.measured, view, out);
                } else if self.waiting.len() >= self.queue_limit {
                    out.dropped = true;
                } else {
                    self.waiting.push_back((q.query, q.measured));
                    out.hold = true;
                }
            }
            MsgKind::AnswerHit => {
                out.hit_at_source = Some(1);
                // The answer's path is the querying peer alone (it comes straight from the index): path
                // replication gives the source a copy, as owner replication does.
                out.hit_path.push(q.source);
            }
            _ => {} // AnswerMiss: the query has failed.
        }
    }

    fn timer(&mut self, node: u32, _ring: u32, q: &QueryInfo, view: View<'_>, out: &mut Outbox) {
        // Server node `node` finished query `q`: answer, then take the next waiting request.
        let kind = if view.anyone_holds(q.object) {
            MsgKind::AnswerHit
        } else {
            MsgKind::AnswerMiss
        };
        out.sends.push(Message {
            to: q.source,
            from: node,
            query: q.query,
            hops: 1,
            kind,
        });
        let server = (node - view.peers()) as usize;
        self.serving[server] = None;
        if let Some((next, measured)) = self.waiting.pop_front() {
            self.serve(server, next, measured, view, out);
            out.release.push(next);
        }
    }

    fn finish(&mut self, _query: u32) -> Finished {
        // The index is not a peer: no peer is reached.
        Finished::reached(0)
    }

    fn extra_nodes(&self) -> u32 {
        self.servers
    }

    fn stats(&self) -> ProtocolStats {
        ProtocolStats {
            busy_s: self.busy_s,
            servers: self.servers,
        }
    }
}

impl FastPaths for ClientServer {}

// ---- The strategy kind: keys, defaults, work estimate, construction ----

/// `kind = "client-server"`, the baseline: a central index of `servers` servers sharing one FIFO queue.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientServerSpec {
    pub servers: u32,
    /// Queries per second per server.
    pub service_rate: f64,
    /// Queries waiting beyond those in service; `None` = unlimited.
    pub queue_limit: Option<u32>,
}

impl StrategySpec for ClientServerSpec {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn keys(&self) -> Vec<(&'static str, KeyValue)> {
        let mut keys = vec![
            ("servers", KeyValue::Int(self.servers.into())),
            ("service_rate", KeyValue::Float(self.service_rate)),
        ];
        if let Some(q) = self.queue_limit {
            keys.push(("queue_limit", KeyValue::Int(q.into())));
        }
        keys
    }
    fn messages_per_query(&self, _mean_degree: f64, _edges: f64) -> f64 {
        3.0
    }
}

impl BuildProtocol for ClientServerSpec {
    const KIND: &'static str = "client-server";
    type Protocol = ClientServer;
    fn read(keys: &mut Reader) -> R<Self> {
        let servers = keys.int_in("servers", 1, 100_000, "from 1 to 100000")?;
        let rate = keys.f64_in(
            "service_rate",
            |x| x > 0.0,
            "a positive rate (queries per second per server)",
        )?;
        let queue_limit = keys.int_in("queue_limit", 0, u32::MAX as i64, "zero or more")?;
        Ok(ClientServerSpec {
            servers: servers.unwrap_or(1) as u32,
            service_rate: keys.required("service_rate", rate)?,
            queue_limit: queue_limit.map(|q| q as u32),
        })
    }
    fn build(&self, env: BuildEnv) -> ClientServer {
        ClientServer::new(self.servers, self.service_rate, self.queue_limit, env.rng)
    }
}
