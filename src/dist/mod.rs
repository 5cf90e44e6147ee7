//! Probability distributions: the scenario file's (`{ dist = "...", ... }`, [`law`]) with their samplers and
//! closed forms, drawn ahead in blocks for the engine ([`blocks`]); the truncated power law of degrees
//! ([`powerlaw`]); the online time of an alternating renewal process of sessions and downtimes ([`renewal`]);
//! and the special functions behind the closed forms ([`special`]).
//!
//! Nothing here knows about scenarios, overlays or runs: plain numbers in, plain numbers out.

pub mod blocks;
pub mod law;
pub mod powerlaw;
pub mod renewal;
pub mod special;

pub use blocks::BlockDraws;
pub use law::{Dist, ResidualSampler, Sampler};
pub use special::{gamma_p, gamma_q, ln_gamma, normal_cdf};

/// Seconds to integer microseconds, rounded to nearest (half up); negative and NaN give 0, and huge values
/// saturate (Rust's float-to-int `as` saturates). Adding 0.5 and truncating avoids a libm call per message.
#[inline]
pub fn secs_to_us(s: f64) -> u64 {
    (s * 1e6 + 0.5) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microsecond_rounding() {
        assert_eq!(secs_to_us(0.05), 50_000);
        assert_eq!(secs_to_us(1.0000004), 1_000_000);
        assert_eq!(secs_to_us(-1.0), 0);
    }
}
