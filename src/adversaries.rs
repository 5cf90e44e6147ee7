//! Bad actors: which peers of a replication free-ride, drop or pollute (`[adversaries]`). The roles are a layer
//! apart from the protocols: the world draws them, the content is placed around free riders, the view tells the
//! protocols who answers with what ([`crate::protocols::View::answer`]), and the engine swallows what droppers
//! receive. A defence (reputation, EigenTrust) would be one more layer reading these roles.

use rand::RngExt;

use crate::graph::PeerId;
use crate::rng::SimRng;
use crate::scenario::{Adversaries, AdversaryPlacement};

/// What a peer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Role {
    Honest = 0,
    /// Holds no copies, but asks and forwards like anyone.
    FreeRider = 1,
    /// Swallows every message of other peers' queries: never forwards, never answers.
    Dropper = 2,
    /// Answers every query or walker with a fake hit (never a genuine one) and forwards as usual.
    Polluter = 3,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Honest => "honest",
            Role::FreeRider => "free rider",
            Role::Dropper => "dropper",
            Role::Polluter => "polluter",
        }
    }
}

/// Every peer's role in one replication (a byte a peer, allocated only when `[adversaries]` is present).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Roles {
    role: Vec<Role>,
    /// Some peer is a dropper.
    droppers: bool,
}

impl Roles {
    /// Draws the roles: the placement's pool (all peers, or one tier of a two-tier overlay) is shuffled whole, and
    /// its first peers are the free riders, the next the droppers, the next the polluters. Shuffling the whole
    /// pool, whatever the shares, keeps the free riders (and so the content) the same when only the droppers or
    /// polluters change, and the droppers the same when only the polluters change.
    pub fn draw(
        peers: u32,
        spec: &Adversaries,
        ultrapeers: Option<&[bool]>,
        rng: &mut SimRng,
    ) -> Roles {
        let mut pool = pool(peers, spec.placement, ultrapeers);
        // Fisher-Yates, from the end.
        for i in (1..pool.len()).rev() {
            let j = rng.random_range(0..=i);
            pool.swap(i, j);
        }
        let [f, d, p] = spec.boundaries(pool.len() as u32).map(|b| b as usize);
        let mut role = vec![Role::Honest; peers as usize];
        for (i, &peer) in pool[..p].iter().enumerate() {
            role[peer as usize] = if i < f {
                Role::FreeRider
            } else if i < d {
                Role::Dropper
            } else {
                Role::Polluter
            };
        }
        Roles::from_roles(role)
    }

    /// Roles given peer by peer (tests and hand-built cases).
    pub fn from_roles(role: Vec<Role>) -> Roles {
        let droppers = role.contains(&Role::Dropper);
        Roles { role, droppers }
    }

    /// Whether some peer is a dropper.
    #[inline]
    pub fn has_droppers(&self) -> bool {
        self.droppers
    }

    /// The role of node `p` (nodes beyond the peers, such as servers, are honest).
    #[inline]
    pub fn of(&self, p: PeerId) -> Role {
        self.role.get(p as usize).copied().unwrap_or(Role::Honest)
    }

    #[inline]
    pub fn is_dropper(&self, p: PeerId) -> bool {
        self.of(p) == Role::Dropper
    }

    #[inline]
    pub fn is_polluter(&self, p: PeerId) -> bool {
        self.of(p) == Role::Polluter
    }

    /// Peers that may hold copies (all but the free riders), in id order.
    pub fn may_hold(&self) -> Vec<PeerId> {
        (0..self.role.len() as PeerId)
            .filter(|&p| self.role[p as usize] != Role::FreeRider)
            .collect()
    }

    /// How many peers have role `r`.
    pub fn count(&self, r: Role) -> usize {
        self.role.iter().filter(|&&x| x == r).count()
    }
}

/// The peers bad actors are drawn from, in id order.
fn pool(peers: u32, placement: AdversaryPlacement, ultrapeers: Option<&[bool]>) -> Vec<PeerId> {
    let tier = |want_ultrapeer: bool| -> Vec<PeerId> {
        // Validation admits a tier placement only on two-tier overlays.
        let up = ultrapeers.expect("a tier placement on a two-tier overlay");
        (0..peers)
            .filter(|&p| up[p as usize] == want_ultrapeer)
            .collect()
    };
    match placement {
        AdversaryPlacement::Uniform => (0..peers).collect(),
        AdversaryPlacement::Ultrapeers => tier(true),
        AdversaryPlacement::Leaves => tier(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{self, Stream};

    fn spec(f: f64, d: f64, p: f64) -> Adversaries {
        Adversaries {
            free_riders: f,
            droppers: d,
            polluters: p,
            placement: AdversaryPlacement::Uniform,
        }
    }

    fn draw(s: &Adversaries, ultrapeers: Option<&[bool]>) -> Roles {
        let n = ultrapeers.map_or(1000, |u| u.len() as u32);
        Roles::draw(n, s, ultrapeers, &mut rng::stream(7, Stream::Adversaries))
    }

    #[test]
    fn shares_give_exact_disjoint_counts() {
        let r = draw(&spec(0.7, 0.1, 0.05), None);
        assert_eq!(r.count(Role::FreeRider), 700);
        assert_eq!(r.count(Role::Dropper), 100);
        assert_eq!(r.count(Role::Polluter), 50);
        assert_eq!(r.count(Role::Honest), 150);
        assert_eq!(r.may_hold().len(), 300);
    }

    #[test]
    fn rounding_never_overruns_the_pool() {
        // 1/3 each of 1000 peers: 333.33 each, rounded cumulatively to 333, 667, 1000.
        let third = 1.0 / 3.0;
        assert_eq!(spec(third, third, third).boundaries(1000), [333, 667, 1000]);
        // Halves of an odd pool: 2.5 rounds to 3, and the droppers get the 2 left.
        assert_eq!(spec(0.5, 0.5, 0.0).boundaries(5), [3, 5, 5]);
    }

    #[test]
    fn changing_droppers_or_polluters_keeps_the_free_riders() {
        let base = draw(&spec(0.3, 0.0, 0.0), None);
        let more = draw(&spec(0.3, 0.2, 0.1), None);
        for p in 0..1000 {
            assert_eq!(
                base.of(p) == Role::FreeRider,
                more.of(p) == Role::FreeRider,
                "peer {p}"
            );
        }
        // And more droppers keep the droppers drawn before.
        let d1 = draw(&spec(0.3, 0.1, 0.0), None);
        let d2 = draw(&spec(0.3, 0.2, 0.0), None);
        assert!((0..1000).all(|p| !d1.is_dropper(p) || d2.is_dropper(p)));
    }

    #[test]
    fn tier_placement_draws_from_that_tier_only() {
        let up: Vec<bool> = (0..200).map(|p| p % 10 == 0).collect();
        let s = Adversaries {
            placement: AdversaryPlacement::Ultrapeers,
            ..spec(0.0, 0.5, 0.0)
        };
        let r = draw(&s, Some(&up));
        assert_eq!(r.count(Role::Dropper), 10);
        assert!((0..200).all(|p| !r.is_dropper(p) || up[p as usize]));
        let leaves = Adversaries {
            placement: AdversaryPlacement::Leaves,
            ..spec(0.0, 0.5, 0.0)
        };
        let r = draw(&leaves, Some(&up));
        assert_eq!(r.count(Role::Dropper), 90);
        assert!((0..200).all(|p| !r.is_dropper(p) || !up[p as usize]));
    }

    #[test]
    fn servers_are_honest() {
        let r = Roles::from_roles(vec![Role::Dropper; 3]);
        assert_eq!(r.of(3), Role::Honest);
        assert!(r.is_dropper(2));
    }
}
