//! The query trace: when queries happen and who issues them.
//!
//! Each online peer issues queries as a Poisson process of rate `query_rate`. We draw the superposition, a
//! Poisson process of rate peers x query_rate, with a uniformly chosen source per arrival (an arrival whose
//! source is offline is dropped, which thins it to exactly rate query_rate per online peer). Every arrival
//! consumes exactly three draws (gap, source, object), and the trace comes from its own stream, so it is the same
//! for every strategy of a replication even when strategies change which objects peers hold.

use rand::RngExt;
use rand_distr::{Distribution, Exp};

use crate::graph::PeerId;
use crate::rng::SimRng;

/// One arrival of the query process.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arrival {
    pub time_us: u64,
    pub source: PeerId,
    /// Uniform draw in [0, 1) that picks the object (see [`crate::content::Content::pick_object`]).
    pub object_draw: f64,
}

/// Generates arrivals lazily, in time order, during [0, duration).
pub struct QueryTrace {
    rng: SimRng,
    gap: Option<Exp<f64>>,
    peers: u32,
    t: f64,
    end: f64,
    /// Issue times are rounded down to a whole number of these microseconds.
    tick_us: u64,
}

impl QueryTrace {
    pub fn new(rng: SimRng, peers: u32, query_rate: f64, duration: f64) -> QueryTrace {
        let total = peers as f64 * query_rate;
        QueryTrace {
            rng,
            gap: Exp::new(total).ok(),
            peers,
            t: 0.0,
            end: duration,
            tick_us: 1,
        }
    }

    /// Issue times on a clock of `tick_us` microseconds (`workload.issue_tick`): each is rounded down to a whole
    /// number of ticks, so it stays inside [0, duration) and the order of arrivals is kept. Arrivals may then share
    /// an instant; they are issued in the order drawn.
    pub fn with_tick(mut self, tick_us: u64) -> QueryTrace {
        self.tick_us = tick_us.max(1);
        self
    }
}

impl Iterator for QueryTrace {
    type Item = Arrival;

    fn next(&mut self) -> Option<Arrival> {
        let gap = self.gap.as_ref()?;
        self.t += gap.sample(&mut self.rng);
        if self.t >= self.end {
            self.gap = None;
            return None;
        }
        let source = self.rng.random_range(0..self.peers);
        let object_draw = self.rng.random::<f64>();
        // Truncate, so that an arrival just before `duration` stays inside [0, duration).
        let time_us = (self.t * 1e6) as u64;
        let time_us = time_us - time_us % self.tick_us;
        Some(Arrival {
            time_us,
            source,
            object_draw,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};

    #[test]
    fn arrival_count_matches_the_rate() {
        // 1000 peers x 0.01/s x 1000 s = 10,000 expected; Poisson sd 100, allow 4 sd.
        let n = QueryTrace::new(stream(1, Stream::Queries), 1000, 0.01, 1000.0).count();
        assert!((n as f64 - 10_000.0).abs() < 400.0, "{n}");
        let t: Vec<_> = QueryTrace::new(stream(1, Stream::Queries), 1000, 0.01, 1000.0).collect();
        assert!(t.windows(2).all(|w| w[0].time_us <= w[1].time_us));
        assert!(
            t.iter()
                .all(|a| a.time_us < 1_000_000_000 && a.source < 1000)
        );
    }

    #[test]
    fn a_tick_rounds_issue_times_down_and_keeps_the_draws() {
        let plain: Vec<_> = QueryTrace::new(stream(3, Stream::Queries), 100, 0.5, 100.0).collect();
        let ticked: Vec<_> = QueryTrace::new(stream(3, Stream::Queries), 100, 0.5, 100.0)
            .with_tick(1000)
            .collect();
        assert_eq!(plain.len(), ticked.len());
        // Expected 5000 arrivals, 50 a second: many share a millisecond with their predecessor's.
        assert!(plain.len() > 4000, "{}", plain.len());
        for (p, t) in plain.iter().zip(&ticked) {
            // Same draws; the time is the millisecond the plain time falls in.
            assert_eq!((p.source, p.object_draw), (t.source, t.object_draw));
            assert_eq!(t.time_us, p.time_us / 1000 * 1000);
        }
        assert!(ticked.windows(2).all(|w| w[0].time_us <= w[1].time_us));
        assert!(ticked.windows(2).any(|w| w[0].time_us == w[1].time_us));
    }
}
