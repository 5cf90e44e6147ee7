//! Probability distributions of the scenario file (`{ dist = "...", ... }`), their samplers and closed forms.
//!
//! Samplers come from `rand_distr`; the closed-form means and medians are used by `check` (work estimates),
//! by churn's stationary start, and by the tests that check the samplers against them.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Pareto, Weibull};

use super::secs_to_us;
use super::special::{gamma_p, ln_gamma, normal_cdf};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weibull_mean_closed_form() {
        // shape 0.5: mean = scale * Gamma(3) = 2 * scale.
        let d = Dist::Weibull {
            shape: 0.5,
            scale: 1800.0,
        };
        assert!((d.mean() - 3600.0).abs() < 1e-6);
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
