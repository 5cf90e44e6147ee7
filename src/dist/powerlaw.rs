//! The truncated power law of degrees, P(k) ∝ k^-exponent on the integers [min_degree, max_degree]: its exact
//! mean ([`truncated_mean`]), the range that gives a mean degree ([`solve_for_mean`]) and its sampler
//! ([`sample_degrees`]). The overlay that wires such degrees is `topology::powerlaw`.
//!
//! The exact mean, Σ_{k=min}^{max} k^(1-a) / Σ k^-a, rises with max_degree (and with min_degree), so the cutoff
//! that gives a mean is found by bisection over the integers.

use rand::RngExt;

use super::special::power_sum_scaled;
use crate::rng::SimRng;

/// Largest relative gap allowed between the mean degree asked for and the mean of the solved range.
pub const MEAN_TOLERANCE: f64 = 0.03;

/// Mean of P(k) ∝ k^-exponent on [min, max] (1 <= min <= max), Σ k^(1-a) / Σ k^-a, in O(1) time: both sums
/// by Euler–Maclaurin past the first terms (relative error ~1e-10, see [`power_sum_scaled`]).
pub fn truncated_mean(exponent: f64, min: u32, max: u32) -> f64 {
    let (lo, hi) = (min.max(1), max.max(min.max(1)));
    let count = (hi - lo + 1) as u64;
    let q = lo as f64;
    lo as f64 * power_sum_scaled(exponent - 1.0, q, count) / power_sum_scaled(exponent, q, count)
}

/// A degree range solved for a mean degree, with the exact mean of its truncated power law.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Solved {
    pub min_degree: u32,
    pub max_degree: u32,
    pub mean: f64,
}

/// The degree range [min_degree, max_degree] within [1, peers - 1] whose truncated power law has the mean
/// `mean` (within [`MEAN_TOLERANCE`]), or why there is none.
///
/// - Neither bound given: min_degree 2 and the integer cutoff max_degree whose mean is nearest. If no cutoff
///   gets within 3% (the mean is above what min 2 can reach, or below 2, or between two cutoffs' means),
///   min_degree moves to the nearest integer >= 1 that can, and its cutoff is solved.
/// - `min` given: only the cutoff is solved; out of reach is an error that gives the reachable means.
/// - `max` given: only min_degree is solved (the nearest mean over the integers 1 ..= max).
/// - Both given: they are kept, and their mean must be within 3% of `mean`.
///
/// A range with min_degree = max_degree on an odd number of peers with an odd degree is never chosen (its
/// degree sum cannot be even). The error text names no key: the caller knows where `mean_degree` was written.
pub fn solve_for_mean(
    peers: u32,
    exponent: f64,
    mean: f64,
    min: Option<u32>,
    max: Option<u32>,
) -> Result<Solved, String> {
    if peers < 2 || mean.is_nan() {
        return Err("needs at least 2 peers".into());
    }
    let top = peers - 1;
    let within = |s: &Solved| (s.mean - mean).abs() <= MEAN_TOLERANCE * mean;
    let law = format!("exponent {exponent} on {peers} peers");
    match (min, max) {
        (Some(lo), Some(hi)) => {
            let s = Solved {
                min_degree: lo,
                max_degree: hi,
                mean: truncated_mean(exponent, lo, hi),
            };
            if within(&s) {
                return Ok(s);
            }
            Err(format!(
                "degrees {lo} to {hi} with {law} have mean {}, not within 3% of mean_degree = {mean}; leave \
                 max_degree out to have the cutoff solved",
                fmt_mean(s.mean)
            ))
        }
        (Some(lo), None) => {
            if let Some(s) = nearest_cutoff(exponent, lo, top, mean, peers)
                && within(&s)
            {
                return Ok(s);
            }
            let reach = truncated_mean(exponent, lo, top);
            let mut msg = format!(
                "{mean} cannot be reached with min_degree = {lo}: with {law} the means reachable run from \
                 {lo} (max_degree {lo}) to {} (max_degree {top})",
                fmt_mean(reach)
            );
            if let Some(s) = nearest_cutoff(exponent, lo, top, mean, peers)
                && mean >= lo as f64
                && mean <= reach
            {
                msg += &format!(
                    ", in steps: the nearest is {} (max_degree {})",
                    fmt_mean(s.mean),
                    s.max_degree
                );
            }
            if let Ok(s) = solve_for_mean(peers, exponent, mean, None, None) {
                msg += &format!(
                    "; without min_degree, min_degree {} and max_degree {} give {}",
                    s.min_degree,
                    s.max_degree,
                    fmt_mean(s.mean)
                );
            }
            Err(msg)
        }
        (None, Some(hi)) => {
            if let Some(s) = nearest_min(exponent, hi, mean, peers)
                && within(&s)
            {
                return Ok(s);
            }
            let low = truncated_mean(exponent, 1, hi);
            let mut msg = format!(
                "{mean} cannot be reached with max_degree = {hi}: with {law} the means reachable run from {} \
                 (min_degree 1) to {hi} (min_degree {hi})",
                fmt_mean(low)
            );
            if let Some(s) = nearest_min(exponent, hi, mean, peers)
                && mean >= low
                && mean <= hi as f64
            {
                msg += &format!(
                    ", in steps: the nearest is {} (min_degree {})",
                    fmt_mean(s.mean),
                    s.min_degree
                );
            }
            msg += "; leave max_degree out to have the cutoff solved";
            Err(msg)
        }
        (None, None) => {
            let base = 2.min(top);
            let mut best: Option<Solved> = None;
            let consider = |s: Option<Solved>, best: &mut Option<Solved>| {
                if let Some(s) = s
                    && best.is_none_or(|b| (s.mean - mean).abs() < (b.mean - mean).abs())
                {
                    *best = Some(s);
                }
            };
            consider(nearest_cutoff(exponent, base, top, mean, peers), &mut best);
            if best.as_ref().is_some_and(within) {
                return Ok(best.expect("checked"));
            }
            // The nearest other min_degree: 1 and 3 are both one away from 2 (the nearer mean wins), then 4, 5, ...
            // A min_degree whose mean with the widest cutoff is still 3% short cannot do, nor one above the mean
            // by 3%: bisect for the first that reaches, then scan up.
            let mut near: Option<Solved> = None;
            for lo in [base.saturating_sub(1), base + 1] {
                if lo >= 1 && lo <= top && lo != base {
                    let s = nearest_cutoff(exponent, lo, top, mean, peers);
                    consider(s, &mut best);
                    if let Some(s) = s.filter(within) {
                        consider(Some(s), &mut near);
                    }
                }
            }
            if let Some(s) = near {
                return Ok(s);
            }
            let reaches =
                |lo: u32| truncated_mean(exponent, lo, top) >= mean * (1.0 - MEAN_TOLERANCE);
            let (mut l, mut r) = (base + 2, top);
            if l <= r && reaches(r) {
                while l < r {
                    let mid = l + (r - l) / 2;
                    if reaches(mid) {
                        r = mid;
                    } else {
                        l = mid + 1;
                    }
                }
                let last = (mean * (1.0 + MEAN_TOLERANCE)).floor().min(top as f64) as u32;
                for lo in l..=last.max(l) {
                    let s = nearest_cutoff(exponent, lo, top, mean, peers);
                    consider(s, &mut best);
                    if let Some(s) = s.filter(within) {
                        return Ok(s);
                    }
                }
            }
            let mut msg = format!(
                "{mean} cannot be reached within 3% by any degree range within 1 to {top} with {law}"
            );
            if let Some(b) = best {
                msg += &format!(
                    " (the nearest: {} with min_degree {} and max_degree {})",
                    fmt_mean(b.mean),
                    b.min_degree,
                    b.max_degree
                );
            }
            Err(msg)
        }
    }
}

/// A mean for messages: three decimals.
fn fmt_mean(x: f64) -> String {
    format!("{x:.3}")
}

/// Whether every degree on [lo, hi] can have an even sum on `peers` peers (not when all must be the same odd
/// degree on an odd number of peers).
fn parity_ok(lo: u32, hi: u32, peers: u32) -> bool {
    lo != hi || (peers as u64 * lo as u64).is_multiple_of(2)
}

/// The first k in [l, r] with `mean(k) >= target`, for a `mean` that rises with k (`r` if none reaches it).
fn first_reaching(mut l: u32, mut r: u32, mean: &impl Fn(u32) -> f64, target: f64) -> u32 {
    while l < r {
        let mid = l + (r - l) / 2;
        if mean(mid) >= target {
            r = mid;
        } else {
            l = mid + 1;
        }
    }
    l
}

/// Picks the candidate whose mean is nearest `target`.
fn nearest_of(candidates: impl Iterator<Item = Solved>, target: f64) -> Option<Solved> {
    candidates.min_by(|a, b| (a.mean - target).abs().total_cmp(&(b.mean - target).abs()))
}

/// The cutoff in [lo, limit] whose mean with min_degree `lo` is nearest `target`: the mean rises with the
/// cutoff, so bisect for the first cutoff at or above the target and compare it with the one before.
fn nearest_cutoff(exponent: f64, lo: u32, limit: u32, target: f64, peers: u32) -> Option<Solved> {
    let mean = |h: u32| truncated_mean(exponent, lo, h);
    let l = first_reaching(lo, limit, &mean, target);
    let candidates = [l.checked_sub(1).filter(|&h| h >= lo), Some(l), Some(l + 1)];
    nearest_of(
        candidates
            .into_iter()
            .flatten()
            .filter(|&h| h <= limit && parity_ok(lo, h, peers))
            .map(|h| Solved {
                min_degree: lo,
                max_degree: h,
                mean: mean(h),
            }),
        target,
    )
}

/// The min_degree in [1, hi] whose mean with cutoff `hi` is nearest `target` (the mean rises with min_degree).
fn nearest_min(exponent: f64, hi: u32, target: f64, peers: u32) -> Option<Solved> {
    let mean = |lo: u32| truncated_mean(exponent, lo, hi);
    let l = first_reaching(1, hi, &mean, target);
    let candidates = [l.checked_sub(1).filter(|&m| m >= 1), Some(l), Some(l + 1)];
    nearest_of(
        candidates
            .into_iter()
            .flatten()
            .filter(|&m| m <= hi && parity_ok(m, hi, peers))
            .map(|m| Solved {
                min_degree: m,
                max_degree: hi,
                mean: mean(m),
            }),
        target,
    )
}

/// Inverse-CDF sampling over the cumulative table of k^-exponent (one f64 per possible degree: 8 MB when
/// max_degree is a million) by binary search: exact up to floating-point rounding of the table.
pub fn sample_degrees(n: u32, exponent: f64, min: u32, max: u32, rng: &mut SimRng) -> Vec<u32> {
    let mut cumulative = Vec::with_capacity((max - min + 1) as usize);
    let mut total = 0.0;
    for k in min..=max {
        total += (k as f64).powf(-exponent);
        cumulative.push(total);
    }
    let last = cumulative.len() - 1;
    (0..n)
        .map(|_| {
            let u = rng.random::<f64>() * total;
            let i = cumulative.partition_point(|&c| c <= u).min(last);
            min + i as u32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};

    /// Σ k^(1-a) / Σ k^-a term by term: the reference for `truncated_mean`.
    fn direct_mean(a: f64, lo: u32, hi: u32) -> f64 {
        let (mut z, mut m) = (0.0, 0.0);
        for k in lo..=hi {
            let p = (k as f64).powf(-a);
            z += p;
            m += k as f64 * p;
        }
        m / z
    }

    #[test]
    fn degree_sampler_matches_the_power_law_table() {
        // P(k) = k^-2 / Σ_{j=1}^{4} j^-2 on [1, 4], by hand: Σ = 1 + 1/4 + 1/9 + 1/16 = 205/144, so
        // P(1) = 144/205 = 0.70244, P(2) = 36/205 = 0.17561, P(3) = 16/205 = 0.07805, P(4) = 9/205 = 0.04390.
        // 200,000 draws: the standard error of a share is at most 0.0011, so 0.005 is over 4.5 sigma.
        let mut rng = stream(11, Stream::Topology);
        let d = sample_degrees(200_000, 2.0, 1, 4, &mut rng);
        let want = [144.0 / 205.0, 36.0 / 205.0, 16.0 / 205.0, 9.0 / 205.0];
        for (k, p) in want.iter().enumerate() {
            let share = d.iter().filter(|&&x| x == k as u32 + 1).count() as f64 / 2e5;
            assert!((share - p).abs() < 0.005, "k = {}: {share} vs {p}", k + 1);
        }
    }

    #[test]
    fn truncated_mean_matches_direct_sums_and_hand_values() {
        // By hand: on [1, 2] with exponent 1, P(1) = 2/3 and P(2) = 1/3, mean 4/3; on [2, 2] the mean is 2.
        assert!((truncated_mean(1.0 + 1e-12, 1, 2) - 4.0 / 3.0).abs() < 1e-9);
        assert_eq!(truncated_mean(2.5, 2, 2), 2.0);
        // Against term-by-term sums (which carry ~1e-13 rounding for 10^5 terms): 1e-9 relative.
        for (a, lo, hi) in [
            (2.3, 2, 26),
            (2.5, 3, 50),
            (2.3, 2, 99_999),
            (1.5, 1, 10_000),
            (3.0, 7, 7_000),
            (9.5, 1, 40),
        ] {
            let (fast, slow) = (truncated_mean(a, lo, hi), direct_mean(a, lo, hi));
            assert!(
                (fast / slow - 1.0).abs() < 1e-9,
                "{a} {lo}..{hi}: {fast} vs {slow}"
            );
        }
    }

    #[test]
    fn the_solver_finds_the_issues_cutoffs() {
        // The issue's reference, checked against direct sums: 2.3 / mean 4 keeps min 2 with a cutoff near 27;
        // 2.5 / mean 6 is out of reach with min 2 on 20,000 peers (at most 4.68), so min becomes 3, cutoff
        // near 50. The solved cutoff is the integer whose mean is nearest: its neighbours are no nearer.
        for (a, mean, min) in [(2.3, 4.0, 2), (2.5, 6.0, 3)] {
            let s = solve_for_mean(20_000, a, mean, None, None).expect("reachable");
            assert_eq!(s.min_degree, min);
            let off = |h: u32| (direct_mean(a, min, h) - mean).abs();
            let h = s.max_degree;
            assert!(off(h) <= off(h - 1) && off(h) <= off(h + 1), "{a}: {h}");
            assert!(off(h) <= 0.03 * mean);
            assert!((s.mean - direct_mean(a, min, h)).abs() < 1e-9);
        }
        assert_eq!(
            solve_for_mean(20_000, 2.3, 4.0, None, None).map(|s| s.max_degree),
            Ok(26)
        );
        assert_eq!(
            solve_for_mean(20_000, 2.5, 6.0, None, None).map(|s| s.max_degree),
            Ok(50)
        );
        assert!(direct_mean(2.5, 2, 19_999) < 0.97 * 6.0);
        // A mean below 2 moves min_degree down to 1 (by hand: [1, 2] at exponent 2 has mean (1 + 2/4)/(1 + 1/4)
        // = 1.2).
        let s = solve_for_mean(1000, 2.0, 1.2, None, None).expect("reachable");
        assert_eq!((s.min_degree, s.max_degree), (1, 2));
        // Given min_degree: only the cutoff moves; out of reach is an error naming the reachable range.
        let e = solve_for_mean(20_000, 2.5, 6.0, Some(2), None).unwrap_err();
        assert!(
            e.contains("from 2 (max_degree 2) to 4.680 (max_degree 19999)"),
            "{e}"
        );
        assert!(e.contains("min_degree 3 and max_degree 50"), "{e}");
        let s = solve_for_mean(20_000, 2.5, 4.0, Some(2), None).expect("reachable");
        assert_eq!(s.min_degree, 2);
        // Given max_degree: min_degree is solved; both given: kept when their mean is within 3%.
        let s = solve_for_mean(20_000, 2.3, 4.0, None, Some(26)).expect("reachable");
        assert_eq!((s.min_degree, s.max_degree), (2, 26));
        assert!(solve_for_mean(20_000, 2.3, 4.0, Some(2), Some(26)).is_ok());
        let e = solve_for_mean(20_000, 2.3, 6.0, Some(2), Some(26)).unwrap_err();
        assert!(e.contains("mean 3.99"), "{e}");
    }

    #[test]
    fn the_solver_steps_over_gaps_and_odd_regular_ranges() {
        // Exponent 2.3 with min 2: cutoff 2 gives mean 2 and cutoff 3 gives 2.282 (by hand: (2 x 2^-2.3 +
        // 3 x 3^-2.3) / (2^-2.3 + 3^-2.3)), so 2.15 is 7% and 6% from them; min 1 reaches it.
        assert!((direct_mean(2.3, 2, 3) - 2.282).abs() < 0.001);
        let s = solve_for_mean(1000, 2.3, 2.15, None, None).expect("reachable with min 1");
        assert_eq!(s.min_degree, 1);
        assert!((s.mean / 2.15 - 1.0).abs() <= 0.03);
        let e = solve_for_mean(1000, 2.3, 2.15, Some(2), None).unwrap_err();
        assert!(e.contains("the nearest is"), "{e}");
        // Exponent 10: [5, 999] has mean 5.17 and [6, 6] mean 6, so 5.6 is more than 3% from every range.
        assert!(solve_for_mean(1000, 10.0, 5.6, None, None).is_err());
        // Mean 3 on 5 peers: [3, 3] would need 15 stubs (odd); the solver takes another range.
        let s = solve_for_mean(5, 9.0, 3.0, Some(3), None).expect("[3, 4] has mean 3.07");
        assert_eq!((s.min_degree, s.max_degree), (3, 4));
    }
}
