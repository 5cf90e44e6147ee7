//! Churn: when peers join and leave. A replication's schedule is generated once, from its own random stream,
//! and replayed for every strategy. (Stub: to be implemented.)

pub mod trace;

use crate::dist::Dist;
use crate::graph::PeerId;
use crate::rng::SimRng;
use crate::scenario::InitialOnline;

/// A peer joins (comes online) or leaves (goes offline) at `time_us`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChurnEvent {
    pub time_us: u64,
    pub peer: PeerId,
    pub join: bool,
}

/// Who is online at time 0, and every change after it, sorted by time (ties in a fixed, documented order).
#[derive(Clone, Debug, PartialEq)]
pub struct ChurnSchedule {
    pub initially_online: Vec<bool>,
    pub events: Vec<ChurnEvent>,
}

impl ChurnSchedule {
    /// No churn: every peer online throughout.
    pub fn always_online(peers: u32) -> ChurnSchedule {
        ChurnSchedule {
            initially_online: vec![true; peers as usize],
            events: Vec::new(),
        }
    }

    /// Time-averaged number of online peers over [a_us, b_us).
    pub fn online_mean(&self, _a_us: u64, _b_us: u64) -> f64 {
        unimplemented!("churn online_mean")
    }
}

/// Alternating sessions and downtimes for every peer over [0, horizon_us).
pub fn generate(
    _peers: u32,
    _session: &Dist,
    _downtime: &Dist,
    _initial: InitialOnline,
    _horizon_us: u64,
    _rng: &mut SimRng,
) -> ChurnSchedule {
    unimplemented!("churn generation")
}
