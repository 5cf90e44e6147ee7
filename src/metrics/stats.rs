//! Pure statistics: means, quantiles, Gini, Lorenz curves and Student-t confidence intervals.

/// Arithmetic mean; `None` for no values.
pub fn mean(xs: &[f64]) -> Option<f64> {
    mean_by(xs.len(), |i| xs[i])
}

/// [`mean`] of the `n` values `at(0)`, `at(1)`, ... (added in that order). The `_by` forms let the recorder
/// summarise loads where they are counted, without a copy of 8 bytes a node.
pub fn mean_by(n: usize, at: impl Fn(usize) -> f64) -> Option<f64> {
    if n == 0 {
        None
    } else {
        Some((0..n).map(at).sum::<f64>() / n as f64)
    }
}

/// Quantile of sorted values by linear interpolation between order statistics (Hyndman–Fan type 7, the
/// default of R and NumPy); `None` for no values.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    quantile_sorted_by(sorted.len(), |i| sorted[i], p)
}

/// [`quantile_sorted`] of the `n` sorted values `at(0)`, `at(1)`, ...
pub fn quantile_sorted_by(n: usize, at: impl Fn(usize) -> f64, p: f64) -> Option<f64> {
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    Some(at(lo) + (h - lo as f64) * (at(hi) - at(lo)))
}

/// Gini coefficient of non-negative values by the population formula
/// G = sum_i (2i - n - 1) x_(i) / (n * sum x), with x sorted ascending and i from 1: 0 when all are equal,
/// (n-1)/n when one holds everything. 0 for an all-zero population.
pub fn gini_sorted(sorted: &[f64]) -> f64 {
    gini_sorted_by(sorted.len(), |i| sorted[i])
}

/// [`gini_sorted`] of the `n` sorted values `at(0)`, `at(1)`, ...
pub fn gini_sorted_by(n: usize, at: impl Fn(usize) -> f64) -> f64 {
    let total: f64 = (0..n).map(&at).sum();
    if n == 0 || total <= 0.0 {
        return 0.0;
    }
    let mut acc = 0.0;
    for i in 0..n {
        acc += (2.0 * (i + 1) as f64 - n as f64 - 1.0) * at(i);
    }
    acc / (n as f64 * total)
}

/// The Lorenz curve of sorted non-negative values at peer shares 0, 0.01, ..., 1: the share of the total held
/// by the least-loaded fraction p of the population, interpolated linearly between the points (i/n, L_i).
/// An all-zero population gives the diagonal.
pub fn lorenz_sorted(sorted: &[f64]) -> Vec<(f64, f64)> {
    lorenz_sorted_by(sorted.len(), |i| sorted[i])
}

/// [`lorenz_sorted`] of the `n` sorted values `at(0)`, `at(1)`, ...
pub fn lorenz_sorted_by(n: usize, at: impl Fn(usize) -> f64) -> Vec<(f64, f64)> {
    let total: f64 = (0..n).map(&at).sum();
    // The partial sums at the 101 points only, added in the same order as a full prefix array (which took 8
    // bytes a peer at the peak of the largest runs).
    let mut below = 0.0;
    let mut summed = 0;
    (0..=100)
        .map(|k| {
            let p = k as f64 / 100.0;
            if n == 0 || total <= 0.0 {
                return (p, p);
            }
            let pos = p * n as f64;
            let i = (pos.floor() as usize).min(n);
            let share = if i == n {
                1.0
            } else {
                while summed < i {
                    below += at(summed);
                    summed += 1;
                }
                (below + (pos - i as f64) * at(i)) / total
            };
            (p, share.min(p))
        })
        .collect()
}

/// Regularised incomplete beta I_x(a, b), by its continued fraction (modified Lentz).
fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    use crate::dist::ln_gamma;
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - incomplete_beta(1.0 - x, b, a);
    }
    let tiny = 1e-300;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut f = d;
    for m in 1..400 {
        let m = m as f64;
        let num = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        d = 1.0 + num * d;
        d = if d.abs() < tiny { tiny } else { d };
        c = 1.0 + num / c;
        c = if c.abs() < tiny { tiny } else { c };
        d = 1.0 / d;
        f *= d * c;
        let num = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        d = 1.0 + num * d;
        d = if d.abs() < tiny { tiny } else { d };
        c = 1.0 + num / c;
        c = if c.abs() < tiny { tiny } else { c };
        d = 1.0 / d;
        let delta = d * c;
        f *= delta;
        if (delta - 1.0).abs() < 1e-15 {
            break;
        }
    }
    front * f / a
}

/// P(T <= t) for Student's t with `df` degrees of freedom.
pub fn student_t_cdf(t: f64, df: f64) -> f64 {
    let x = df / (df + t * t);
    let tail = 0.5 * incomplete_beta(x, df / 2.0, 0.5);
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom, by bisection on the CDF.
pub fn student_t_975(df: u32) -> f64 {
    let df = df as f64;
    let (mut lo, mut hi) = (0.0f64, 1000.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if student_t_cdf(mid, df) < 0.975 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Standard error of the mean: s / sqrt(n), with s the sample standard deviation. `None` for fewer than two
/// values.
pub fn standard_error(xs: &[f64]) -> Option<f64> {
    let n = xs.len();
    if n < 2 {
        return None;
    }
    let m = mean(xs)?;
    let var = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
    Some((var / n as f64).sqrt())
}

/// Half-width of the two-sided 95% Student-t confidence interval of the mean: t_{0.975, n-1} * s / sqrt(n),
/// with s the sample standard deviation. `None` for fewer than two values.
pub fn ci95_half_width(xs: &[f64]) -> Option<f64> {
    let se = standard_error(xs)?;
    Some(student_t_975((xs.len() - 1) as u32) * se)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gini_of_known_vectors() {
        assert_eq!(gini_sorted(&[1.0, 1.0, 1.0, 1.0]), 0.0);
        assert!((gini_sorted(&[0.0, 0.0, 0.0, 1.0]) - 0.75).abs() < 1e-15);
        // [1, 2, 3]: mean absolute difference 8/9 over twice the mean 4 -> 2/9.
        assert!((gini_sorted(&[1.0, 2.0, 3.0]) - 2.0 / 9.0).abs() < 1e-15);
        assert_eq!(gini_sorted(&[0.0, 0.0]), 0.0);
    }

    #[test]
    fn lorenz_runs_corner_to_corner_convex() {
        for v in [
            vec![0.0, 0.0, 0.0, 1.0],
            vec![1.0, 2.0, 3.0, 10.0, 50.0],
            vec![5.0; 7],
        ] {
            let l = lorenz_sorted(&v);
            assert_eq!(l.len(), 101);
            assert_eq!(l[0], (0.0, 0.0));
            assert_eq!(l[100], (1.0, 1.0));
            for w in l.windows(3) {
                assert!(w[1].1 >= w[0].1 && w[1].1 <= w[1].0 + 1e-12);
                // Convex: slopes do not decrease.
                assert!((w[2].1 - w[1].1) - (w[1].1 - w[0].1) > -1e-12);
            }
        }
        // One of four holds everything: zero until 75%, then linear to 1.
        let l = lorenz_sorted(&[0.0, 0.0, 0.0, 1.0]);
        assert_eq!(l[75].1, 0.0);
        assert!((l[90].1 - 0.6).abs() < 1e-12);
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let xs = [1.0, 2.0, 3.0, 4.0, 10.0];
        // numpy.percentile(xs, 95) = 8.8; median 3.
        assert!((quantile_sorted(&xs, 0.95).unwrap() - 8.8).abs() < 1e-12);
        assert_eq!(quantile_sorted(&xs, 0.5), Some(3.0));
        assert_eq!(quantile_sorted(&[], 0.5), None);
    }

    #[test]
    fn t_quantiles_match_tables() {
        // Standard two-sided 95% table values, to the 4 decimals tables print.
        for (df, want) in [
            (1, 12.7062),
            (2, 4.3027),
            (4, 2.7764),
            (9, 2.2622),
            (29, 2.0452),
            (1000, 1.9623),
        ] {
            assert!(
                (student_t_975(df) - want).abs() < 1e-4,
                "df {df}: {}",
                student_t_975(df)
            );
        }
    }

    #[test]
    fn ci_half_width_by_hand() {
        // [1, 2, 3, 4]: mean 2.5, s^2 = 5/3, s/sqrt(4) = 0.6455; t(3) = 3.18245 -> 2.05431.
        let h = ci95_half_width(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert!(
            (h - 3.182_446_305 * (5.0f64 / 3.0).sqrt() / 2.0).abs() < 1e-8,
            "{h}"
        );
        assert_eq!(ci95_half_width(&[3.0]), None);
        assert_eq!(ci95_half_width(&[]), None);
        let se = standard_error(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert!((se - (5.0_f64 / 3.0).sqrt() / 2.0).abs() < 1e-15, "{se}");
    }
}
