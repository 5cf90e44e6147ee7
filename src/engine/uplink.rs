//! Peers' uplinks (`network.upload`): a peer's messages leave one at a time, B bytes holding its uplink for
//! B x 8 / upload seconds, then the latency applies. The queue needs no events: messages are sent in time order,
//! so an uplink only has to remember when it is next free.

use crate::results::kinds::{MSG_KINDS, MsgKind};
use crate::world::World;

pub(super) struct Uplinks<'a> {
    /// Bits per second of each peer's uplink (servers, beyond the peers, send without limit).
    bps: &'a [f64],
    /// When each uplink has sent everything queued on it, microseconds.
    free_at_us: Vec<u64>,
    /// Bytes of a message, by kind.
    sizes: [u64; MSG_KINDS],
}

impl<'a> Uplinks<'a> {
    /// The world's uplinks, if `network.upload` is set (per-peer state only then).
    pub fn new(world: &'a World, sizes: [u64; MSG_KINDS]) -> Option<Uplinks<'a>> {
        world.upload_bps.as_deref().map(|bps| Uplinks {
            bps,
            free_at_us: vec![0; bps.len()],
            sizes,
        })
    }

    /// How long after `now` a message of `kind` that `node` sends now has left its uplink: the wait for what is
    /// queued before it, then its own transmission (whole microseconds, rounded up).
    #[inline]
    pub fn queue(&mut self, node: u32, kind: MsgKind, now: u64) -> u64 {
        let Some(&bps) = self.bps.get(node as usize) else {
            return 0;
        };
        let exact = self.sizes[kind as usize] as f64 * 8e6 / bps;
        // Rounded up by hand: `f64::ceil` is a libm call here (no SSE4.1 at the default target), and was 5% of
        // a flood's instructions with uplinks on (docs/performance.md).
        let whole = exact as u64;
        let transmit = whole + u64::from((whole as f64) < exact);
        let free = &mut self.free_at_us[node as usize];
        let done = (*free).max(now) + transmit;
        *free = done;
        done - now
    }

    /// `node` leaves at `now`: its queue is dropped (what was in it is lost, as every message in flight from a
    /// peer that leaves), so it comes back with an idle uplink.
    pub fn drop_queue(&mut self, node: u32, now: u64) {
        if let Some(free) = self.free_at_us.get_mut(node as usize) {
            *free = (*free).min(now);
        }
    }
}
