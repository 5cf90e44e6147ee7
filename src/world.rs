//! One replication's world: the overlay, the content and the peers' capacities, built from the replication's
//! own random streams. Every strategy of the replication runs on the same `World` (common random numbers).

use std::sync::OnceLock;

use crate::adversaries::Roles;
use crate::churn::{self, ChurnSchedule};
use crate::content::Content;
use crate::dist::secs_to_us;
use crate::error::{Origin, ScenarioError};
use crate::graph::Graph;
use crate::rng::{self, Stream};
use crate::scenario::Scenario;
use crate::topology;

pub struct World {
    pub replication: u32,
    /// The replication's seed (from the scenario seed and the replication index).
    pub seed: u64,
    pub graph: Graph,
    /// For two-tier overlays, which peers are ultrapeers.
    pub ultrapeers: Option<Vec<bool>>,
    /// Share of peers in the largest connected component of the generated overlay: measured on first use
    /// ([`World::largest_component_share`]), so that the runner can measure it while the strategies run.
    pub largest_component_share: OnceLock<f64>,
    pub content: Content,
    /// Microseconds a peer takes to process one message; `None` = unlimited capacity.
    pub service_us: Option<Vec<u64>>,
    /// Each peer's upload bandwidth, bits per second; `None` = unlimited (`network.upload`).
    pub upload_bps: Option<Vec<f64>>,
    /// Who is online when, under churn (`None` without churn: every peer online throughout).
    pub churn: Option<WorldChurn>,
    /// Who free-rides, drops or pollutes (`None` without `[adversaries]`: every peer behaves).
    pub roles: Option<Roles>,
}

/// A replication's churn: generated or read from a trace, replayed by every strategy.
pub struct WorldChurn {
    pub schedule: ChurnSchedule,
}

/// Churn goes on this long after `duration` (the drain, where issued queries finish), then the population
/// freezes: at least a minute, or a tenth of the run.
pub fn churn_horizon_us(duration: f64) -> u64 {
    secs_to_us(duration + (0.1 * duration).max(60.0))
}

impl World {
    /// Builds replication `replication`'s world, from the edge-list and churn-trace files the scenario read when it
    /// was validated. Fails on power-law degrees drawn that cannot be wired, and on files not read for this network
    /// (a scenario error: exit status 2).
    pub fn build(s: &Scenario, replication: u32) -> Result<World, ScenarioError> {
        let seed = rng::replication_seed(s.seed, replication);
        let n = s.network.peers;
        let built = topology::build(n, &s.topology, &mut rng::stream(seed, Stream::Topology))
            .map_err(|e| match e {
                topology::BuildError::EdgeList(e) => ScenarioError::from(e),
                topology::BuildError::Degrees(e) => {
                    // Drawn, not written: the parameters allow it, this replication's draw cannot be wired.
                    let key = match s.topology.kind {
                        crate::scenario::TopologyKind::PowerLaw {
                            degrees: crate::scenario::PowerLawDegrees::Mean { .. },
                            ..
                        } => "topology.mean_degree",
                        _ => "topology.max_degree",
                    };
                    ScenarioError::new(
                        &s.file,
                        Origin::Default,
                        key,
                        format!("replication {replication}: {e}"),
                    )
                }
            })?;
        let graph = built.graph;
        // Bad actors come from their own stream, so that they change nothing else of the replication but where
        // the copies sit (free riders hold none).
        let roles = s.adversaries.as_ref().map(|a| {
            Roles::draw(
                n,
                a,
                built.ultrapeers.as_deref(),
                &mut rng::stream(seed, Stream::Adversaries),
            )
        });
        let may_hold = roles.as_ref().map(Roles::may_hold);
        let content = Content::generate_on(
            n,
            may_hold.as_deref(),
            &s.content,
            &mut rng::stream(seed, Stream::Content),
        );
        let service_us = s.network.capacity.map(|cap| {
            let sampler = cap.sampler();
            let mut r = rng::stream(seed, Stream::Peers);
            (0..n)
                .map(|_| secs_to_us(1.0 / sampler.sample(&mut r)).max(1))
                .collect()
        });
        // From their own stream: drawing uplinks changes nothing else of the replication.
        let upload_bps = s.network.upload.map(|up| {
            let sampler = up.sampler();
            let mut r = rng::stream(seed, Stream::Uplinks);
            (0..n).map(|_| sampler.sample(&mut r)).collect()
        });
        let churn = if s.churn.enabled {
            let schedule = match (&s.churn.trace, &s.churn.trace_data) {
                (_, Some(trace)) => churn::trace::schedule(trace, n)?,
                (Some(path), None) => {
                    return Err(ScenarioError::new(
                        path,
                        Origin::Line(0),
                        "",
                        "the churn trace was not read (scenario::files::read_churn_trace reads it)",
                    ));
                }
                (None, None) => churn::generate(
                    n,
                    &s.churn.session,
                    &s.churn.downtime,
                    s.churn.initial_online,
                    churn_horizon_us(s.duration),
                    &mut rng::stream(seed, Stream::Churn),
                ),
            };
            Some(WorldChurn { schedule })
        } else {
            None
        };
        Ok(World {
            replication,
            seed,
            graph,
            ultrapeers: built.ultrapeers,
            largest_component_share: OnceLock::new(),
            content,
            service_us,
            upload_bps,
            churn,
            roles,
        })
    }

    /// Share of peers in the largest connected component of the overlay (a search of the whole graph the first
    /// time; a thread asking while another measures waits for it).
    pub fn largest_component_share(&self) -> f64 {
        *self
            .largest_component_share
            .get_or_init(|| crate::topology::stats::largest_component_share(&self.graph))
    }

    pub fn peers(&self) -> u32 {
        self.graph.len() as u32
    }

    /// Time-averaged number of online peers over [a, b) microseconds (every peer is online without churn).
    pub fn online_mean(&self, a: u64, b: u64) -> f64 {
        match &self.churn {
            Some(c) => c.schedule.online_mean(a, b),
            None => self.peers() as f64,
        }
    }
}
