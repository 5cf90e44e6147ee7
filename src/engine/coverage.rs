//! Broadcasts' coverage while they run: per broadcast, how many of the peers online at its issue have the payload
//! (source included), and when that count crossed 50, 90 and 99% of them. A broadcast succeeds when it reaches
//! 99% (within the strategy's timeout, if any); its latency is the time it took, its hops those of the delivery
//! that crossed the mark.
//!
//! Only peers online at the issue count, and only in the session they were in then: a peer that joined later
//! may get the payload (and pass it on) but is not of the broadcast's audience, and one that left and came back
//! has forgotten what it had.

use super::queries::QueryId;
use super::{Engine, View};
use crate::metrics::coverage::marks;
use crate::protocols::{FastPaths, Protocol};

/// One broadcast in progress.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Spread {
    /// Peers online at issue (the audience), and how many of them have the payload.
    online: u32,
    have: u32,
    /// The counts that are 50, 90 and 99% of the audience, and when (microseconds after issue) they were reached.
    marks: [u32; 3],
    at_us: [Option<u64>; 3],
}

/// The broadcasts in progress, by query id (kept only for a broadcast strategy's run).
#[derive(Default)]
pub(super) struct Spreads {
    list: Vec<Spread>,
}

impl<P: Protocol + FastPaths> Engine<'_, P> {
    /// Broadcast `q` was just issued: its audience is the peers online now; its source has the payload.
    pub(super) fn open_spread(&mut self, q: QueryId) {
        let Some(spreads) = &mut self.spreads else {
            return;
        };
        let online = match &self.churn {
            Some(c) => c.overlay.online_count() as u32,
            None => self.peers,
        };
        let i = q as usize;
        if spreads.list.len() <= i {
            spreads.list.resize(i + 1, Spread::default());
        }
        spreads.list[i] = Spread {
            online,
            have: 0,
            marks: marks(online),
            at_us: [None; 3],
        };
        self.add_coverage(q, 0);
    }

    /// `peer` got broadcast `q`'s payload (its first copy in its session), `hops` hops from the source.
    pub(super) fn cover(&mut self, q: QueryId, peer: u32, hops: u32) {
        let issued_event = self.queries[q].issued_event;
        if view!(self).steady_since(peer, issued_event) {
            self.add_coverage(q, hops);
        }
    }

    /// One more of broadcast `q`'s audience has the payload, `hops` from the source.
    fn add_coverage(&mut self, q: QueryId, hops: u32) {
        let Some(spreads) = &mut self.spreads else {
            return;
        };
        let a = &self.queries[q];
        let offset = self.clock.now - a.issued_us;
        let s = &mut spreads.list[q as usize];
        s.have += 1;
        if a.info.measured {
            self.obs.rec.covered(offset, s.online);
        }
        for i in 0..3 {
            if s.at_us[i].is_none() && s.have >= s.marks[i] {
                s.at_us[i] = Some(offset);
            }
        }
        if s.have == s.marks[2] {
            let late = self.timeout_us.is_some_and(|t| offset > t);
            let a = &mut self.queries[q];
            if late {
                a.late_hit = true;
            } else {
                a.first_hit = Some((hops, offset));
            }
        }
    }

    /// Broadcast `q` is over: its coverage goes to the recorder if it counts.
    pub(super) fn close_spread(&mut self, q: QueryId) {
        let Some(spreads) = &self.spreads else {
            return;
        };
        let s = spreads.list[q as usize];
        if self.queries[q].info.measured {
            let share = f64::from(s.have) / f64::from(s.online);
            self.obs.rec.broadcast_ended(share, s.at_us);
        }
    }
}
