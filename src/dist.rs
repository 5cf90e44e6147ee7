//! Probability distributions of the scenario file (`{ dist = "...", ... }`), their samplers and closed forms.
//!
//! Samplers come from `rand_distr`; the closed-form means and medians are used by `check` (work estimates),
//! by churn's stationary start, and by the tests that check the samplers against them.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Pareto, StandardNormal, Weibull};

/// A distribution over non-negative reals (times in seconds, rates in messages/s).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dist {
    Constant { value: f64 },
    Uniform { min: f64, max: f64 },
    Exponential { mean: f64 },
    Weibull { shape: f64, scale: f64 },
    Pareto { shape: f64, scale: f64 },
    LogNormal { median: f64, sigma: f64 },
}

impl Dist {
    /// The `dist = "..."` name.
    pub fn name(&self) -> &'static str {
        match self {
            Dist::Constant { .. } => "constant",
            Dist::Uniform { .. } => "uniform",
            Dist::Exponential { .. } => "exponential",
            Dist::Weibull { .. } => "weibull",
            Dist::Pareto { .. } => "pareto",
            Dist::LogNormal { .. } => "lognormal",
        }
    }

    /// The parameters as (key, value) pairs, in the order the scenario file writes them.
    pub fn params(&self) -> Vec<(&'static str, f64)> {
        match *self {
            Dist::Constant { value } => vec![("value", value)],
            Dist::Uniform { min, max } => vec![("min", min), ("max", max)],
            Dist::Exponential { mean } => vec![("mean", mean)],
            Dist::Weibull { shape, scale } => vec![("shape", shape), ("scale", scale)],
            Dist::Pareto { shape, scale } => vec![("shape", shape), ("scale", scale)],
            Dist::LogNormal { median, sigma } => vec![("median", median), ("sigma", sigma)],
        }
    }

    /// Mean; infinite for a Pareto with shape <= 1.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Constant { value } => value,
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Exponential { mean } => mean,
            Dist::Weibull { shape, scale } => scale * ln_gamma(1.0 + 1.0 / shape).exp(),
            Dist::Pareto { shape, scale } => {
                if shape <= 1.0 {
                    f64::INFINITY
                } else {
                    shape * scale / (shape - 1.0)
                }
            }
            Dist::LogNormal { median, sigma } => median * (sigma * sigma / 2.0).exp(),
        }
    }

    /// Median.
    pub fn median(&self) -> f64 {
        match *self {
            Dist::Constant { value } => value,
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Exponential { mean } => mean * std::f64::consts::LN_2,
            Dist::Weibull { shape, scale } => scale * std::f64::consts::LN_2.powf(1.0 / shape),
            Dist::Pareto { shape, scale } => scale * 2f64.powf(1.0 / shape),
            Dist::LogNormal { median, .. } => median,
        }
    }

    /// Mean of the equilibrium (residual-life) distribution, E[X^2] / (2 E[X]): the expected remaining length of
    /// the interval covering a random instant. Infinite when E[X^2] is (Pareto shape <= 2); 0 for a zero mean.
    pub fn residual_mean(&self) -> f64 {
        let m = self.mean();
        if !m.is_finite() {
            return f64::INFINITY;
        }
        if m <= 0.0 {
            return 0.0;
        }
        let second = match *self {
            Dist::Constant { value } => value * value,
            Dist::Uniform { min, max } => (min * min + min * max + max * max) / 3.0,
            Dist::Exponential { mean } => 2.0 * mean * mean,
            Dist::Weibull { shape, scale } => scale * scale * ln_gamma(1.0 + 2.0 / shape).exp(),
            Dist::Pareto { shape, scale } => {
                if shape <= 2.0 {
                    f64::INFINITY
                } else {
                    shape * scale * scale / (shape - 2.0)
                }
            }
            Dist::LogNormal { median, sigma } => median * median * (2.0 * sigma * sigma).exp(),
        };
        second / (2.0 * m)
    }

    /// A sampler of the equilibrium (residual-life) distribution, density (1 - F(x)) / E[X]: the remaining length
    /// of the interval that covers a random instant of a stationary renewal process. See [`ResidualSampler`].
    pub fn residual_sampler(&self) -> ResidualSampler {
        // Parameters were validated when the scenario was read; the fallbacks only keep this function total.
        let full = ResidualSampler {
            biased: LengthBiased::Full(self.sampler()),
        };
        let biased = match *self {
            Dist::Constant { value } => LengthBiased::Constant(value),
            Dist::Uniform { min, max } => LengthBiased::Uniform(min * min, max * max - min * min),
            // Exponential(mean m) is Weibull(1, m): length-biased Gamma(2, m).
            Dist::Exponential { mean } => match Gamma::new(2.0, 1.0) {
                Ok(g) => LengthBiased::Gamma(g, 1.0, mean),
                Err(_) => return full,
            },
            // (X*/scale)^shape ~ Gamma(1 + 1/shape, 1).
            Dist::Weibull { shape, scale } => match Gamma::new(1.0 + 1.0 / shape, 1.0) {
                Ok(g) => LengthBiased::Gamma(g, 1.0 / shape, scale),
                Err(_) => return full,
            },
            // Density x * x^(-a-1) on [x_m, inf) is Pareto(a - 1, x_m); needs a finite mean (a > 1).
            Dist::Pareto { shape, scale } if shape > 1.0 => match Pareto::new(scale, shape - 1.0) {
                Ok(d) => LengthBiased::Pareto(d),
                Err(_) => return full,
            },
            Dist::Pareto { .. } => return full,
            // Length-biased lognormal(mu, sigma) is lognormal(mu + sigma^2, sigma).
            Dist::LogNormal { median, sigma } => {
                match LogNormal::new(median.ln() + sigma * sigma, sigma) {
                    Ok(d) => LengthBiased::LogNormal(d),
                    Err(_) => return full,
                }
            }
        };
        ResidualSampler { biased }
    }

    /// One draw from the equilibrium distribution (builds a [`ResidualSampler`]; keep one for many draws).
    pub fn sample_residual<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.residual_sampler().sample(rng)
    }

    /// E[min(X, x)] = ∫_0^x P(X > y) dy: the expected part of a length that falls within its first x seconds (x
    /// itself when X >= x). Closed forms; the Weibull and lognormal ones through the regularised incomplete gamma
    /// function (~1e-14 relative). Used by churn's expected online time (`check`'s expected queries).
    pub fn mean_min(&self, x: f64) -> f64 {
        if x.is_nan() || x <= 0.0 {
            return 0.0;
        }
        match *self {
            Dist::Constant { value } => value.min(x),
            Dist::Uniform { min, max } => {
                if x <= min {
                    x
                } else if x >= max {
                    (min + max) / 2.0
                } else {
                    x - (x - min) * (x - min) / (2.0 * (max - min))
                }
            }
            Dist::Exponential { mean } => mean * -(-x / mean).exp_m1(),
            // ∫_0^x e^-(y/l)^k dy = (l/k) γ(1/k, (x/l)^k) = l Γ(1 + 1/k) P(1/k, (x/l)^k).
            Dist::Weibull { shape, scale } => {
                let a = 1.0 / shape;
                scale * ln_gamma(1.0 + a).exp() * gamma_p(a, (x / scale).powf(shape))
            }
            // x_m + ∫_{x_m}^x (x_m/y)^a dy.
            Dist::Pareto { shape, scale } => {
                if x <= scale {
                    x
                } else if (shape - 1.0).abs() < 1e-12 {
                    scale * (1.0 + (x / scale).ln())
                } else {
                    scale + scale * ((x / scale).powf(1.0 - shape) - 1.0) / (1.0 - shape)
                }
            }
            // E[X; X < x] + x P(X >= x), with ln X ~ N(mu, sigma^2).
            Dist::LogNormal { median, sigma } => {
                if sigma <= 0.0 {
                    return median.min(x);
                }
                let mu = median.ln();
                let z = (x.ln() - mu) / sigma;
                (mu + sigma * sigma / 2.0).exp() * normal_cdf(z - sigma) + x * normal_cdf(-z)
            }
        }
    }

    /// Smallest value the distribution can take.
    pub fn min_value(&self) -> f64 {
        match *self {
            Dist::Constant { value } => value,
            Dist::Uniform { min, .. } => min,
            Dist::Pareto { scale, .. } => scale,
            _ => 0.0,
        }
    }

    /// A ready sampler (the `rand_distr` objects are built once, not per draw).
    pub fn sampler(&self) -> Sampler {
        // The parameters were validated when the scenario was read, so these constructors cannot fail; the
        // fallbacks only keep this function total.
        match *self {
            Dist::Constant { value } => Sampler::Constant(value),
            Dist::Uniform { min, max } => Sampler::Uniform(min, max - min),
            Dist::Exponential { mean } => match Exp::new(1.0 / mean) {
                Ok(d) => Sampler::Exp(d),
                Err(_) => Sampler::Constant(mean),
            },
            Dist::Weibull { shape, scale } => match Weibull::new(scale, shape) {
                Ok(d) => Sampler::Weibull(d),
                Err(_) => Sampler::Constant(scale),
            },
            Dist::Pareto { shape, scale } => match Pareto::new(scale, shape) {
                Ok(d) => Sampler::Pareto(d),
                Err(_) => Sampler::Constant(scale),
            },
            Dist::LogNormal { median, sigma } => match LogNormal::new(median.ln(), sigma) {
                Ok(d) => Sampler::LogNormal(d),
                Err(_) => Sampler::Constant(median),
            },
        }
    }
}

/// A distribution ready to draw from.
#[derive(Clone, Copy, Debug)]
pub enum Sampler {
    Constant(f64),
    /// min and width.
    Uniform(f64, f64),
    Exp(Exp<f64>),
    Weibull(Weibull<f64>),
    Pareto(Pareto<f64>),
    LogNormal(LogNormal<f64>),
}

impl Sampler {
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Constant(v) => *v,
            Sampler::Uniform(min, width) => min + width * rng.random::<f64>(),
            Sampler::Exp(d) => d.sample(rng),
            Sampler::Weibull(d) => d.sample(rng),
            Sampler::Pareto(d) => d.sample(rng),
            Sampler::LogNormal(d) => d.sample(rng),
        }
    }

    /// Draws a duration in seconds and converts it to whole microseconds (rounded to nearest).
    #[inline]
    pub fn sample_us<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        secs_to_us(self.sample(rng))
    }
}

/// Draws in whole microseconds from one distribution and a stream of its own, made ahead in blocks: the same
/// values in the same order as drawing one at a time (nothing else uses the stream), at a fraction of the cost.
/// The engine draws a latency per message, and a log-normal draw (a ziggurat normal, then `exp`) one at a time
/// in the event loop was a quarter of the 10^4-peer flood benchmark's run time; in a tight loop the sampler's
/// code and tables stay hot and independent draws overlap in the processor.
///
/// With a tick (`network.latency_tick`), every draw is rounded to the nearest whole number of ticks, at least
/// one.
pub struct BlockDraws<R> {
    sampler: Sampler,
    rng: R,
    block: Box<[u64]>,
    next: usize,
    /// Clock tick in microseconds; 1 = the engine's own microsecond clock (no further rounding).
    tick_us: u64,
}

/// Division by a fixed divisor as a multiplication: the compiler cannot strength-reduce a divisor known only at
/// run time, and a 64-bit `div` per draw made the 10^4-peer millisecond-clock benchmark 1-3% slower (measured
/// A/B, alternating runs).
#[derive(Clone, Copy, Debug)]
struct DivBy {
    d: u64,
    /// floor(2^64 / d) + 1.
    m: u64,
}

impl DivBy {
    /// For 2 <= d <= 2^32.
    fn new(d: u64) -> DivBy {
        debug_assert!((2..=1 << 32).contains(&d));
        DivBy {
            d,
            m: (u64::MAX / d) + 1,
        }
    }

    /// floor(x / d). Exact for x < 2^32: x m / 2^64 = x / d + x e / (d 2^64) with m d = 2^64 + e, 0 < e <= d, so
    /// the excess is under 2^-32 <= 1/d, too little to carry the fraction of x / d (at most 1 - 1/d) past the next
    /// integer. Larger x (latencies over 71 minutes) divide.
    #[inline]
    fn quotient(self, x: u64) -> u64 {
        if x < 1 << 32 {
            ((u128::from(x) * u128::from(self.m)) >> 64) as u64
        } else {
            x / self.d
        }
    }

    /// Rounds a duration in whole microseconds to the nearest whole number of ticks of `d` microseconds (halves
    /// up), and to at least one tick: a PeerSim-style integer clock, where a message never arrives in the instant
    /// it was sent.
    #[inline]
    fn round_to_ticks(self, us: u64) -> u64 {
        self.quotient(us + self.d / 2).max(1) * self.d
    }
}

/// Draws per block: small enough to stay in L1 cache.
const BLOCK: usize = 512;

impl<R: Rng + Clone> BlockDraws<R> {
    pub fn new(sampler: Sampler, rng: R) -> BlockDraws<R> {
        BlockDraws {
            sampler,
            rng,
            block: vec![0; BLOCK].into_boxed_slice(),
            next: BLOCK,
            tick_us: 1,
        }
    }

    /// The same draws rounded to whole ticks of `tick_us` microseconds (at least one); 1 changes nothing.
    pub fn with_tick(mut self, tick_us: u64) -> BlockDraws<R> {
        self.tick_us = tick_us.max(1);
        self
    }

    /// The next draw, microseconds.
    #[inline]
    pub fn next_us(&mut self) -> u64 {
        if self.next == self.block.len() {
            self.refill();
        }
        let x = self.block[self.next];
        self.next += 1;
        x
    }

    #[cold]
    #[inline(never)]
    fn refill(&mut self) {
        // The generator's state is copied into a local for the loops (kept in registers): drawn through
        // `&mut self`, it was stored back to memory on every draw (measured).
        let mut local = self.rng.clone();
        let (sampler, rng) = (&self.sampler, &mut local);
        match sampler {
            // A log-normal draw is exp(mu + sigma z) for a standard normal z (`LogNormal::sample` is exactly
            // `from_zscore` of one): all the z first, then all the exp, each loop tight.
            Sampler::LogNormal(d) => {
                let mut z = [0f64; BLOCK];
                for z in z.iter_mut() {
                    *z = rng.sample(StandardNormal);
                }
                for (x, z) in self.block.iter_mut().zip(z) {
                    *x = secs_to_us(d.from_zscore(z));
                }
            }
            // The same expression as `Sampler::sample`, in a loop of its own.
            &Sampler::Uniform(min, width) => {
                for x in self.block.iter_mut() {
                    *x = secs_to_us(min + width * rng.random::<f64>());
                }
            }
            _ => {
                for x in self.block.iter_mut() {
                    *x = sampler.sample_us(rng);
                }
            }
        }
        self.rng = local;
        let tick = self.tick_us;
        if tick > 1 {
            let ticks = DivBy::new(tick);
            for x in self.block.iter_mut() {
                *x = ticks.round_to_ticks(*x);
            }
        }
        self.next = 0;
    }
}

/// Samples the equilibrium (residual-life) distribution of a [`Dist`] as U * X*, where X* is length-biased
/// (density x f(x) / E[X]) and U ~ U(0, 1) is independent: the standard construction (a random instant falls in
/// an interval with probability proportional to its length, and uniformly within it).
///
/// A Pareto with shape <= 1 has no finite mean and so no equilibrium distribution; it draws a full-length
/// interval instead (validation refuses a stationary start for it, so this only keeps the sampler total).
#[derive(Clone, Copy, Debug)]
pub struct ResidualSampler {
    biased: LengthBiased,
}

/// Length-biased forms (x f(x) / E[X]) of each distribution.
#[derive(Clone, Copy, Debug)]
enum LengthBiased {
    Constant(f64),
    /// Density proportional to x on [a, b]: sqrt(a^2 + U (b^2 - a^2)); holds a^2 and b^2 - a^2.
    Uniform(f64, f64),
    /// scale * G^power with G ~ Gamma: Weibull (power 1/shape) and exponential (power 1).
    Gamma(Gamma<f64>, f64, f64),
    Pareto(Pareto<f64>),
    LogNormal(LogNormal<f64>),
    /// No equilibrium distribution (infinite mean): `sample` returns a full draw, not U times it.
    Full(Sampler),
}

impl ResidualSampler {
    /// A length-biased draw X* (density x f(x) / E[X]), seconds.
    pub fn sample_length_biased<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self.biased {
            LengthBiased::Constant(v) => v,
            LengthBiased::Uniform(a2, width) => (a2 + width * rng.random::<f64>()).sqrt(),
            LengthBiased::Gamma(g, power, scale) => {
                let x = g.sample(rng);
                if power == 1.0 {
                    scale * x
                } else {
                    scale * x.powf(power)
                }
            }
            LengthBiased::Pareto(d) => d.sample(rng),
            LengthBiased::LogNormal(d) => d.sample(rng),
            LengthBiased::Full(s) => s.sample(rng),
        }
    }

    /// A residual-life draw U * X*, seconds (a full draw for a distribution with infinite mean).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        if let LengthBiased::Full(s) = self.biased {
            return s.sample(rng);
        }
        let x = self.sample_length_biased(rng);
        rng.random::<f64>() * x
    }
}

/// Seconds to integer microseconds, rounded to nearest (half up); negative and NaN give 0, and huge values
/// saturate (Rust's float-to-int `as` saturates). Adding 0.5 and truncating avoids a libm call per message.
#[inline]
pub fn secs_to_us(s: f64) -> u64 {
    (s * 1e6 + 0.5) as u64
}

/// Natural log of the gamma function (Lanczos approximation, g = 7, n = 9; relative error below 1e-13
/// for x > 0), used for Weibull means.
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEF: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection formula.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = COEF[0];
    let t = x + G + 0.5;
    for (i, c) in COEF.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Regularised lower incomplete gamma P(a, x) = γ(a, x) / Γ(a) for a > 0, x >= 0: the series for x < a + 1, else
/// 1 - Q by the continued fraction for Q (modified Lentz), as in Numerical Recipes §6.2; ~1e-14 relative.
pub fn gamma_p(a: f64, x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return 0.0;
    }
    if x < a + 1.0 {
        gamma_series(a, x)
    } else {
        1.0 - gamma_fraction(a, x)
    }
}

/// Regularised upper incomplete gamma Q(a, x) = 1 - P(a, x), without cancellation in the upper tail.
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return 1.0;
    }
    if x < a + 1.0 {
        1.0 - gamma_series(a, x)
    } else {
        gamma_fraction(a, x)
    }
}

/// x^a e^-x / Γ(a), the common factor of both expansions.
fn gamma_prefactor(a: f64, x: f64) -> f64 {
    (a * x.ln() - x - ln_gamma(a)).exp()
}

fn gamma_series(a: f64, x: f64) -> f64 {
    let (mut ap, mut term) = (a, 1.0 / a);
    let mut sum = term;
    for _ in 0..10_000 {
        ap += 1.0;
        term *= x / ap;
        sum += term;
        if term.abs() < sum.abs() * 1e-16 {
            break;
        }
    }
    sum * gamma_prefactor(a, x)
}

fn gamma_fraction(a: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..10_000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h * gamma_prefactor(a, x)
}

/// Standard normal CDF Φ(z), through erf(t) = P(1/2, t^2) (and the upper tail through Q, so it keeps its relative
/// precision far out).
pub fn normal_cdf(z: f64) -> f64 {
    let half_square = z * z / 2.0;
    if z >= 0.0 {
        0.5 + 0.5 * gamma_p(0.5, half_square)
    } else {
        0.5 * gamma_q(0.5, half_square)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_draws_equal_draws_one_at_a_time() {
        // Exact equality over several blocks: drawing ahead must not change a single value of a run. Log-normal
        // and uniform have loops of their own; exponential takes the general one.
        let dists = [
            Dist::LogNormal {
                median: 0.05,
                sigma: 0.5,
            },
            Dist::Uniform {
                min: 0.01,
                max: 0.1,
            },
            Dist::Exponential { mean: 0.05 },
        ];
        for d in dists {
            let stream = || crate::rng::stream(3, crate::rng::Stream::Latency);
            let mut one = stream();
            let sampler = d.sampler();
            let mut block = BlockDraws::new(sampler, stream());
            for i in 0..3 * BLOCK + 7 {
                assert_eq!(
                    block.next_us(),
                    sampler.sample_us(&mut one),
                    "{d:?} draw {i}"
                );
            }
        }
    }

    #[test]
    fn ticks_round_to_nearest_and_at_least_one() {
        // A 1 ms tick: 1499 us is 1 tick, 1500 us (a half) rounds up to 2, 0 and 1 us become one tick.
        let ms = DivBy::new(1_000);
        assert_eq!(ms.round_to_ticks(1_499), 1_000);
        assert_eq!(ms.round_to_ticks(1_500), 2_000);
        assert_eq!(ms.round_to_ticks(49_999), 50_000);
        assert_eq!(ms.round_to_ticks(0), 1_000);
        assert_eq!(ms.round_to_ticks(1), 1_000);
        assert_eq!(DivBy::new(7).round_to_ticks(10), 7);
        assert_eq!(DivBy::new(7).round_to_ticks(11), 14);
    }

    #[test]
    fn division_by_multiplication_is_exact() {
        // Against `/` at the edges of every quotient (multiples of d, one below, one above) for divisors up to
        // 2^32, and at random points; then past 2^32 where it divides.
        let mut rng = crate::rng::stream(9, crate::rng::Stream::Latency);
        let divisors = [
            2,
            3,
            7,
            10,
            999,
            1_000,
            1_024,
            65_537,
            1_000_000,
            3_600_000_000,
            (1 << 32) - 1,
            1 << 32,
        ];
        for d in divisors {
            let div = DivBy::new(d);
            for q in [0, 1, 2, 1_000, ((1u64 << 32) - 1) / d] {
                for x in [q * d, (q * d).saturating_sub(1), q * d + 1, q * d + d - 1] {
                    if x < 1 << 32 {
                        assert_eq!(div.quotient(x), x / d, "{x} / {d}");
                    }
                }
            }
            for _ in 0..100_000 {
                let x = rng.random::<u64>() >> 32;
                assert_eq!(div.quotient(x), x / d, "{x} / {d}");
            }
            for x in [1 << 32, (1 << 32) + 5, u64::MAX / 2] {
                assert_eq!(div.quotient(x), x / d, "{x} / {d}");
            }
        }
    }

    #[test]
    fn ticked_block_draws_are_the_draws_rounded() {
        // The tick only rounds: the k-th ticked draw is the k-th plain draw rounded to whole milliseconds.
        let d = Dist::Uniform { min: 0.0, max: 0.1 };
        let stream = || crate::rng::stream(5, crate::rng::Stream::Latency);
        let mut plain = BlockDraws::new(d.sampler(), stream());
        let mut ticked = BlockDraws::new(d.sampler(), stream()).with_tick(1_000);
        let mut seen = std::collections::BTreeSet::new();
        for i in 0..2 * BLOCK + 3 {
            let (p, t) = (plain.next_us(), ticked.next_us());
            assert_eq!(t % 1_000, 0, "draw {i}: {t} us is not whole milliseconds");
            if p < 500 {
                assert_eq!(t, 1_000, "draw {i}: under half a tick is one tick");
            } else {
                assert!(
                    t.abs_diff(p) <= 500,
                    "draw {i}: {p} us -> {t} us is not the nearest ms"
                );
            }
            seen.insert(t / 1_000);
        }
        // U(0, 100 ms) to the nearest ms covers 1..=100 ms (under 0.5 ms becomes 1). The rarest value, 100 ms,
        // has probability 1/200 per draw, so it is missing from 1027 draws with probability under 0.6 %; the seed
        // is fixed, so this does not flicker.
        assert_eq!(seen.len(), 100);
        assert_eq!((seen.first(), seen.last()), (Some(&1), Some(&100)));
    }

    #[test]
    fn gamma_matches_known_values() {
        // Gamma(5) = 24, Gamma(0.5) = sqrt(pi), Gamma(3) = 2 (exact), tolerance: Lanczos accuracy.
        assert!((ln_gamma(5.0).exp() - 24.0).abs() < 1e-10);
        assert!((ln_gamma(0.5).exp() - std::f64::consts::PI.sqrt()).abs() < 1e-12);
        assert!((ln_gamma(3.0).exp() - 2.0).abs() < 1e-12);
    }

    #[test]
    fn weibull_mean_closed_form() {
        // shape 0.5: mean = scale * Gamma(3) = 2 * scale.
        let d = Dist::Weibull {
            shape: 0.5,
            scale: 1800.0,
        };
        assert!((d.mean() - 3600.0).abs() < 1e-6);
    }

    #[test]
    fn microsecond_rounding() {
        assert_eq!(secs_to_us(0.05), 50_000);
        assert_eq!(secs_to_us(1.0000004), 1_000_000);
        assert_eq!(secs_to_us(-1.0), 0);
    }

    // ---- Samplers against closed forms -------------------------------------------------------------------------
    //
    // 10^6 draws from a fixed seed. The standard error of a sample mean is CV / sqrt(n) = CV * 0.1 %, and of a
    // sample median sqrt(0.25 / n) / (f(m) m) relative = 0.05 % / (f(m) m); for every case below both are at or
    // under 0.3 %, so the 2 % tolerance is at least six standard errors: a correct sampler does not fail, while
    // a wrong parameterisation (scale vs rate, shape swapped, sigma vs variance) is off by far more than 2 %.

    use rand::SeedableRng;

    const N: usize = 1_000_000;

    fn draws(n: usize, seed: u64, mut f: impl FnMut(&mut rand_pcg::Pcg64) -> f64) -> Vec<f64> {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
        (0..n).map(|_| f(&mut rng)).collect()
    }

    fn mean(xs: &[f64]) -> f64 {
        xs.iter().sum::<f64>() / xs.len() as f64
    }

    fn median(xs: &mut [f64]) -> f64 {
        let mid = xs.len() / 2;
        *xs.select_nth_unstable_by(mid, f64::total_cmp).1
    }

    fn within(what: &str, got: f64, want: f64, rel: f64) {
        assert!(
            (got - want).abs() <= rel * want.abs(),
            "{what}: got {got}, want {want} (tolerance {:.1} %)",
            rel * 100.0
        );
    }

    /// The literal closed forms (mean, median) from the textbook, written out independently of `Dist::mean` and
    /// `Dist::median`, which are checked against them too.
    fn cases() -> Vec<(Dist, f64, f64)> {
        let ln2 = std::f64::consts::LN_2;
        let sqrt_pi = std::f64::consts::PI.sqrt();
        vec![
            (Dist::Constant { value: 7.5 }, 7.5, 7.5),
            (
                Dist::Uniform {
                    min: 10.0,
                    max: 50.0,
                },
                30.0,
                30.0,
            ),
            (Dist::Exponential { mean: 1800.0 }, 1800.0, 1800.0 * ln2),
            // Weibull(k, l): mean l Gamma(1 + 1/k), median l (ln 2)^(1/k); Gamma(3) = 2, Gamma(1.5) = sqrt(pi)/2.
            (
                Dist::Weibull {
                    shape: 0.5,
                    scale: 1800.0,
                },
                3600.0,
                1800.0 * ln2 * ln2,
            ),
            (
                Dist::Weibull {
                    shape: 2.0,
                    scale: 100.0,
                },
                50.0 * sqrt_pi,
                100.0 * ln2.sqrt(),
            ),
            // Pareto(a = 3, x_m = 2): mean a x_m / (a - 1) = 3, median x_m 2^(1/a).
            (
                Dist::Pareto {
                    shape: 3.0,
                    scale: 2.0,
                },
                3.0,
                2.0 * 2f64.powf(1.0 / 3.0),
            ),
            // Lognormal(median 60, sigma 1): mean 60 e^(1/2).
            (
                Dist::LogNormal {
                    median: 60.0,
                    sigma: 1.0,
                },
                60.0 * 0.5f64.exp(),
                60.0,
            ),
        ]
    }

    #[test]
    fn closed_forms_match_textbook() {
        for (d, m, med) in cases() {
            within(&format!("{d:?} mean()"), d.mean(), m, 1e-12);
            within(&format!("{d:?} median()"), d.median(), med, 1e-12);
        }
    }

    #[test]
    fn samplers_match_mean_and_median() {
        for (i, (d, m, med)) in cases().into_iter().enumerate() {
            let s = d.sampler();
            let mut xs = draws(N, 100 + i as u64, |r| s.sample(r));
            assert!(xs.iter().all(|x| x.is_finite() && *x >= d.min_value()));
            within(&format!("{d:?} sample mean"), mean(&xs), m, 0.02);
            within(&format!("{d:?} sample median"), median(&mut xs), med, 0.02);
        }
    }

    // ---- Residual life ------------------------------------------------------------------------------------------
    //
    // Closed forms of E[R] = E[X^2] / (2 E[X]) written out per distribution. Standard errors of the sample mean of
    // R at 10^6 draws (CV of R from E[R^2] = E[X^3] / (3 E[X])): exponential 0.1 %, uniform[10, 50] 0.06 %,
    // Weibull(0.5) 0.15 % (E[R] = 6 l, E[R^2] = 120 l^2), lognormal(sigma 1) 0.16 %; so 2 % is over ten standard
    // errors. Pareto(3) has E[X^3] infinite, so the sample mean of R has infinite variance and is not tested;
    // its median is (and so is Weibull's, to check the shape and not only the first moment).

    #[test]
    fn residual_means_match_closed_forms() {
        let e = std::f64::consts::E;
        let cases = [
            (Dist::Exponential { mean: 1800.0 }, 1800.0),
            // (a^2 + ab + b^2) / (3 (a + b)) = (100 + 500 + 2500) / 180.
            (
                Dist::Uniform {
                    min: 10.0,
                    max: 50.0,
                },
                3100.0 / 180.0,
            ),
            (Dist::Constant { value: 8.0 }, 4.0),
            // Weibull(1/2, l): E[X^2] / (2 E[X]) = l^2 Gamma(5) / (2 l Gamma(3)) = 6 l.
            (
                Dist::Weibull {
                    shape: 0.5,
                    scale: 1800.0,
                },
                6.0 * 1800.0,
            ),
            // Lognormal: median e^(3 sigma^2 / 2) / 2.
            (
                Dist::LogNormal {
                    median: 60.0,
                    sigma: 1.0,
                },
                30.0 * e.powf(1.5),
            ),
            // Pareto(3, x_m): x_m (a - 1) / (2 (a - 2)) = x_m (closed form only; see above).
            (
                Dist::Pareto {
                    shape: 3.0,
                    scale: 2.0,
                },
                2.0,
            ),
        ];
        for (i, (d, want)) in cases.into_iter().enumerate() {
            within(
                &format!("{d:?} residual_mean()"),
                d.residual_mean(),
                want,
                1e-12,
            );
            if matches!(d, Dist::Pareto { .. }) {
                continue;
            }
            let s = d.residual_sampler();
            let xs = draws(N, 200 + i as u64, |r| s.sample(r));
            assert!(xs.iter().all(|x| x.is_finite() && *x >= 0.0));
            within(
                &format!("{d:?} residual sample mean"),
                mean(&xs),
                want,
                0.02,
            );
        }
    }

    #[test]
    fn residual_medians_match_closed_forms() {
        // Medians of the equilibrium CDF F_e(x) = (1 / E[X]) int_0^x (1 - F(t)) dt:
        // exponential: F_e = F, median m ln 2.
        // Weibull(1/2, l): F_e(x) = 1 - e^-y (1 + y) with y = sqrt(x / l); solve e^-y (1 + y) = 1/2 by bisection.
        // Pareto(a = 3, x_m): F_e(x) = x / E[X] below x_m, and F_e(x_m) = (a - 1) / a = 2/3 > 1/2, so the median
        // is E[X] / 2 = a x_m / (2 (a - 1)) = 0.75 x_m.
        // Uniform[10, 50]: F_e(x) = (10 + (1600 - (50 - x)^2) / 80) / 30 = 1/2 at x = 50 - sqrt(1200).
        let (mut lo, mut hi) = (0.0f64, 10.0f64);
        for _ in 0..200 {
            let y = (lo + hi) / 2.0;
            if (-y).exp() * (1.0 + y) > 0.5 {
                lo = y;
            } else {
                hi = y;
            }
        }
        let weibull_y = lo;
        let cases = [
            (
                Dist::Exponential { mean: 1800.0 },
                1800.0 * std::f64::consts::LN_2,
            ),
            (
                Dist::Weibull {
                    shape: 0.5,
                    scale: 1800.0,
                },
                1800.0 * weibull_y * weibull_y,
            ),
            (
                Dist::Pareto {
                    shape: 3.0,
                    scale: 2.0,
                },
                1.5,
            ),
            (
                Dist::Uniform {
                    min: 10.0,
                    max: 50.0,
                },
                50.0 - 1200f64.sqrt(),
            ),
            (Dist::Constant { value: 8.0 }, 4.0),
        ];
        // Median standard errors 0.05 % / (f_e(m) m): at most 0.2 % here (Weibull: f_e(m) m = y^2 e^-y / 2 ~ 0.26).
        for (i, (d, want)) in cases.into_iter().enumerate() {
            let s = d.residual_sampler();
            let mut xs = draws(N, 300 + i as u64, |r| s.sample(r));
            within(
                &format!("{d:?} residual sample median"),
                median(&mut xs),
                want,
                0.02,
            );
        }
    }

    #[test]
    fn length_biased_means_match_closed_forms() {
        // E[X*] = E[X^2] / E[X] = 2 residual_mean; checks the length-biased forms before the U(0, 1) factor.
        // Standard errors as for the residual (CV of X* is below that of R); Pareto(3) is skipped (E[X*^2] = inf).
        let cases = [
            Dist::Exponential { mean: 5.0 },
            Dist::Uniform {
                min: 10.0,
                max: 50.0,
            },
            Dist::Weibull {
                shape: 0.5,
                scale: 1800.0,
            },
            Dist::Weibull {
                shape: 3.0,
                scale: 10.0,
            },
            Dist::LogNormal {
                median: 60.0,
                sigma: 0.5,
            },
        ];
        for (i, d) in cases.into_iter().enumerate() {
            let s = d.residual_sampler();
            let xs = draws(N, 400 + i as u64, |r| s.sample_length_biased(r));
            within(
                &format!("{d:?} length-biased mean"),
                mean(&xs),
                2.0 * d.residual_mean(),
                0.02,
            );
        }
    }

    #[test]
    fn residual_without_finite_mean_is_a_full_draw() {
        // Pareto shape <= 1: no equilibrium distribution; documented fallback is a full draw (>= x_m always,
        // whereas a residual would often fall below x_m).
        let d = Dist::Pareto {
            shape: 0.8,
            scale: 3.0,
        };
        assert!(d.residual_mean().is_infinite());
        let s = d.residual_sampler();
        let xs = draws(10_000, 5, |r| s.sample(r));
        assert!(xs.iter().all(|x| *x >= 3.0));
        assert!(d.sample_residual(&mut rand_pcg::Pcg64::seed_from_u64(1)) >= 3.0);
    }

    // ---- E[min(X, x)] and the special functions behind it -----------------------------------------------------

    #[test]
    fn incomplete_gamma_and_normal_cdf_match_known_values() {
        // P(1, x) = 1 - e^-x and P(2, x) = 1 - (1 + x) e^-x by hand; Φ(1), Φ(-2), Φ(-6) from tables (to 15
        // digits); both branches of P (series below a + 1, fraction above) and the far tail of Φ.
        for x in [0.01, 0.5, 1.9, 2.1, 7.0, 40.0] {
            assert!((gamma_p(1.0, x) - (1.0 - (-x).exp())).abs() < 1e-14, "{x}");
            assert!(
                (gamma_p(2.0, x) - (1.0 - (1.0 + x) * (-x).exp())).abs() < 1e-14,
                "{x}"
            );
            assert!((gamma_p(3.5, x) + gamma_q(3.5, x) - 1.0).abs() < 1e-14);
        }
        assert!((normal_cdf(1.0) - 0.841_344_746_068_543).abs() < 1e-14);
        assert!((normal_cdf(-2.0) - 0.022_750_131_948_179_2).abs() < 1e-15);
        assert!((normal_cdf(-6.0) / 9.865_876_450_377e-10 - 1.0).abs() < 1e-10);
        assert_eq!(normal_cdf(0.0), 0.5);
    }

    #[test]
    fn mean_min_matches_sampled_means_and_hand_values() {
        // By hand: constant 8 at x = 5 gives 5; uniform [10, 50] at 30: 30 - 20^2 / 80 = 25; exponential mean 2 at
        // x = 2: 2 (1 - e^-1); Pareto(1, 1) at e: 1 + ln e = 2; every distribution tends to its mean.
        assert_eq!(Dist::Constant { value: 8.0 }.mean_min(5.0), 5.0);
        let u = Dist::Uniform {
            min: 10.0,
            max: 50.0,
        };
        assert!((u.mean_min(30.0) - 25.0).abs() < 1e-12);
        assert!(
            (Dist::Exponential { mean: 2.0 }.mean_min(2.0) - 2.0 * (1.0 - (-1.0f64).exp())).abs()
                < 1e-12
        );
        let pareto1 = Dist::Pareto {
            shape: 1.0,
            scale: 1.0,
        };
        assert!((pareto1.mean_min(std::f64::consts::E) - 2.0).abs() < 1e-12);
        // Against the samplers (rand_distr, independent code): the sample mean of min(X, x) over 10^6 draws. Its
        // standard error is at most x / 2 / 1000; 5 of them (x / 400) is the tolerance, at x near the median and
        // at twice the mean.
        for (i, (d, m, med)) in cases().into_iter().enumerate() {
            let s = d.sampler();
            let xs = draws(N, 300 + i as u64, |r| s.sample(r));
            for x in [med, 2.0 * m] {
                let sampled = mean(&xs.iter().map(|&v| v.min(x)).collect::<Vec<_>>());
                let got = d.mean_min(x);
                assert!(
                    (got - sampled).abs() < x / 400.0,
                    "{d:?} at {x}: {got} vs sampled {sampled}"
                );
            }
            assert!(
                (d.mean_min(1e9 * m.max(1.0)) / m - 1.0).abs() < 1e-3,
                "{d:?}"
            );
        }
    }
}
