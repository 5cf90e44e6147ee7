//! Probability distributions of the scenario file (`{ dist = "...", ... }`), their samplers and closed forms.
//!
//! Samplers come from `rand_distr`; the closed-form means and medians are used by `check` (work estimates),
//! by churn's stationary start, and by the tests that check the samplers against them.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Exp, LogNormal, Pareto, Weibull};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
