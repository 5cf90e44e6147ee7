//! Rough size of a run, before running it: events and peak memory. `check` prints it; `run` refuses work beyond
//! the machine's available memory or 10^12 events unless `--force`. It is an order-of-magnitude guard against
//! runs that cannot finish, not a prediction: floods are costed as if the overlay were a tree of the mean
//! degree (capped at a full flood), walkers as if they never stopped early.

use crate::churn;
use crate::scenario::sweep::Plan;
use crate::scenario::{Scenario, TopologyKind};
use crate::world::churn_horizon_us;

/// More events than this are refused without --force (days of computing at tens of millions per second).
pub const MAX_EVENTS: f64 = 1e12;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WorkEstimate {
    pub runs: usize,
    /// Events over all runs.
    pub events: f64,
    /// Peak resident memory with `threads` runs at once, bytes.
    pub peak_bytes: f64,
}

impl WorkEstimate {
    /// Why the work is refused, if it is.
    pub fn refusal(&self, available_bytes: Option<f64>) -> Option<String> {
        if self.events > MAX_EVENTS {
            return Some(format!(
                "the run would take about {:.1e} events (more than {:.0e}: days of computing); shrink it or use --force",
                self.events, MAX_EVENTS
            ));
        }
        if let Some(avail) = available_bytes
            && self.peak_bytes > avail
        {
            return Some(format!(
                "the run would need about {:.0} MB of memory and this machine has {:.0} MB available; use fewer \
                 peers or --threads, or --force",
                self.peak_bytes / 1e6,
                avail / 1e6
            ));
        }
        None
    }
}

/// Mean degree the topology will have (before churn).
fn mean_degree(s: &Scenario) -> f64 {
    let n = s.network.peers as f64;
    match &s.topology.kind {
        TopologyKind::Random { mean_degree } => *mean_degree,
        TopologyKind::Regular { degree } => *degree as f64,
        TopologyKind::PowerLaw { exponent, degrees } => {
            let (lo, hi) = degrees.range();
            crate::dist::powerlaw::truncated_mean(*exponent, lo, hi)
        }
        TopologyKind::BarabasiAlbert { m } => 2.0 * *m as f64,
        TopologyKind::SmallWorld { degree, .. } => *degree as f64,
        TopologyKind::TwoTier {
            ultrapeer_share,
            ultrapeer_degree,
            leaf_links,
        } => {
            let u = (n * ultrapeer_share).round().max(2.0);
            (u * *ultrapeer_degree as f64 + 2.0 * (n - u) * *leaf_links as f64) / n
        }
        // The links validation read from the file (it is not read again here).
        TopologyKind::EdgeList { .. } => {
            let links = s.topology.edge_list.as_ref().map_or(0, |l| l.edges.len());
            2.0 * links as f64 / n
        }
    }
}

/// Events and memory of one point's runs (all replications and strategies).
fn point(s: &Scenario, threads: usize) -> (f64, f64) {
    let n = s.network.peers as f64;
    let d = mean_degree(s);
    let edges = n * d / 2.0;
    let churn_events = if s.churn.enabled && s.churn.trace.is_none() {
        churn::expected_events(
            s.network.peers,
            &s.churn.session,
            &s.churn.downtime,
            churn_horizon_us(s.duration),
        )
    } else {
        0.0
    };
    // Every query issued costs events, measured or not (warmup too).
    let queries = s.expected_queries_in(0.0, s.duration);
    let mut events = 0.0;
    let mut engine_bytes: f64 = 0.0;
    for st in &s.strategies {
        let m = st.spec.messages_per_query(d, edges);
        events += queries * (m + 1.0) + churn_events;
        // In flight at once: the messages of the queries running together (a second each, at least one).
        let concurrent = (queries / s.duration).max(1.0);
        let in_flight = (m * concurrent).min(queries * m);
        let reach = m.min(n);
        engine_bytes =
            engine_bytes.max(16.0 * in_flight + 8.0 * reach * concurrent.min(64.0) + 48.0 * n);
    }
    let objects = s.content.objects as f64;
    let world_bytes = 8.0 * n
        + 8.0 * edges
        + 8.0 * s.content.replicas_mean * objects
        + 32.0 * objects
        + 28.0 * churn_events
        + if s.churn.enabled {
            24.0 * n + 8.0 * edges
        } else {
            0.0
        };
    let jobs = threads.max(1) as f64;
    let peak = jobs * (world_bytes + engine_bytes);
    (events * s.replications as f64, peak)
}

/// The estimate of a whole plan, with `threads` worker threads.
pub fn estimate_work(plan: &Plan, threads: usize) -> WorkEstimate {
    let mut events = 0.0;
    let mut peak: f64 = 0.0;
    for p in &plan.points {
        let (e, m) = point(&p.scenario, threads);
        events += e;
        peak = peak.max(m);
    }
    WorkEstimate {
        runs: plan.runs(),
        events,
        peak_bytes: peak + 30e6,
    }
}

/// Memory available to a new process (MemAvailable of /proc/meminfo), if known.
pub fn available_memory() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flood_messages_grow_as_a_tree_and_stop_at_a_full_flood() {
        // Degree 4: 4 + 12 + 36 = 52 query messages for TTL 3, doubled for hits (an upper bound).
        use crate::protocols::flooding::FloodingSpec;
        use crate::protocols::random_walk::{RandomWalkSpec, WalkBias};
        use crate::scenario::StrategySpec;
        let k = FloodingSpec { ttl: 3 };
        assert_eq!(k.messages_per_query(4.0, 1e6), 104.0);
        // A full flood sends at most 2E + 1 queries.
        let k = FloodingSpec { ttl: 50 };
        assert_eq!(k.messages_per_query(4.0, 100.0), 2.0 * 201.0);
        let w = RandomWalkSpec {
            walkers: 16,
            ttl: 100,
            check_every: 4,
            bias: WalkBias::Uniform,
        };
        assert_eq!(w.messages_per_query(4.0, 1e6), 16.0 * 100.0 * 1.5);
    }

    #[test]
    fn refusals_say_why() {
        let e = WorkEstimate {
            runs: 1,
            events: 2e12,
            peak_bytes: 1e9,
        };
        assert!(e.refusal(Some(1e12)).unwrap().contains("events"));
        let e = WorkEstimate {
            runs: 1,
            events: 1e9,
            peak_bytes: 5e9,
        };
        assert!(e.refusal(Some(1e9)).unwrap().contains("memory"));
        assert_eq!(e.refusal(Some(1e10)), None);
    }
}
