//! Broadcasts' coverage over a run: the mean share of the peers online at issue that have the payload, as a
//! function of the time since issue, and the times to 50/90/99% of them.
//!
//! The curve is kept as a histogram of delivery times on a fixed log-linear grid of whole microseconds (exact
//! below 64 us, then 32 bins per octave: 2-3% steps), each delivery weighing 1 / (peers online at its issue). Its
//! running sum divided by the broadcasts is exactly the mean coverage at each bin edge, in memory that does not
//! grow with the run, and every run shares the grid, so replications' curves line up point for point.

/// Bins per octave above [`EXACT`].
const PER_OCTAVE_BITS: u32 = 5;
/// Offsets below this many microseconds have a bin each.
const EXACT: u64 = 64;

/// The bin of a delivery `offset_us` after its broadcast's issue.
fn bin(offset_us: u64) -> usize {
    if offset_us < EXACT {
        return offset_us as usize;
    }
    let octave = 63 - offset_us.leading_zeros(); // >= 6
    let shift = octave - PER_OCTAVE_BITS;
    let sub = (offset_us >> shift) & ((1 << PER_OCTAVE_BITS) - 1);
    (EXACT + u64::from(octave - 6) * (1 << PER_OCTAVE_BITS) + sub) as usize
}

/// The end (exclusive, microseconds) of bin `k`: every delivery counted in bins 0..=k came before it.
pub fn bin_end_us(k: usize) -> u64 {
    let k = k as u64;
    if k < EXACT {
        return k + 1;
    }
    let per = 1u64 << PER_OCTAVE_BITS;
    let octave = (k - EXACT) / per + 6;
    let sub = (k - EXACT) % per;
    (per + sub + 1) << (octave - u64::from(PER_OCTAVE_BITS))
}

/// The coverage figures of one run's measured broadcasts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Coverage {
    /// Per bin: the sum over deliveries in it of 1 / (peers online at the broadcast's issue).
    bins: Vec<f64>,
    broadcasts: u64,
    share_sum: f64,
    /// Per share (50, 90, 99%): the sum of the times to it (seconds) and the broadcasts that reached it.
    time_sums: [f64; 3],
    reached: [u64; 3],
}

impl Coverage {
    /// A peer of a broadcast that had `online` peers online at issue got the payload `offset_us` after it.
    pub fn delivered(&mut self, offset_us: u64, online: u32) {
        let k = bin(offset_us);
        if self.bins.len() <= k {
            self.bins.resize(k + 1, 0.0);
        }
        self.bins[k] += 1.0 / f64::from(online);
    }

    /// A broadcast ended having reached `share` of its peers, and 50/90/99% of them after these microseconds.
    pub fn ended(&mut self, share: f64, times_us: [Option<u64>; 3]) {
        self.broadcasts += 1;
        self.share_sum += share;
        for (i, t) in times_us.iter().enumerate() {
            if let Some(t) = t {
                self.time_sums[i] += *t as f64 / 1e6;
                self.reached[i] += 1;
            }
        }
    }

    /// Mean share of the peers online at issue that got the payload (`None` without broadcasts).
    pub fn mean_share(&self) -> Option<f64> {
        (self.broadcasts > 0).then(|| self.share_sum / self.broadcasts as f64)
    }

    /// Mean time to 50%, 90%, 99% (`i` = 0, 1, 2) over the broadcasts that reached it, seconds.
    pub fn mean_time_s(&self, i: usize) -> Option<f64> {
        (self.reached[i] > 0).then(|| self.time_sums[i] / self.reached[i] as f64)
    }

    /// The mean coverage curve: (seconds since issue, mean coverage by then), from 0 (the sources) through the
    /// first and last bins that got a delivery after it, every bin in between. Empty without broadcasts.
    pub fn curve(&self) -> Vec<(f64, f64)> {
        if self.broadcasts == 0 {
            return Vec::new();
        }
        let n = self.broadcasts as f64;
        let mut rows = vec![(0.0, self.bins.first().copied().unwrap_or(0.0) / n)];
        let Some(first) = self.bins.iter().skip(1).position(|&b| b > 0.0) else {
            return rows;
        };
        let first = first + 1;
        let mut sum: f64 = self.bins[..first].iter().sum();
        for k in first..self.bins.len() {
            sum += self.bins[k];
            rows.push((bin_end_us(k) as f64 / 1e6, sum / n));
        }
        rows
    }
}

/// Counts at which a broadcast of `online` peers reaches 50, 90 and 99% of them: ceil(share x online).
pub fn marks(online: u32) -> [u32; 3] {
    [50u64, 90, 99].map(|p| (p * u64::from(online)).div_ceil(100) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_exact_below_64_us_then_32_per_octave_and_their_ends_bound_them() {
        for d in 0..64 {
            assert_eq!(bin(d), d as usize);
            assert_eq!(bin_end_us(d as usize), d + 1);
        }
        // 64..128 us: 32 bins of 2 us.
        assert_eq!(bin(64), 64);
        assert_eq!(bin(65), 64);
        assert_eq!(bin(66), 65);
        assert_eq!(bin_end_us(64), 66);
        assert_eq!(bin(127), 95);
        assert_eq!(bin(128), 96);
        // Every offset lies in its bin: at or after the previous bin's end, before its own end.
        for d in [64u64, 100, 1000, 77_777, 1 << 20, 123_456_789, u64::MAX / 3] {
            let k = bin(d);
            assert!(d < bin_end_us(k), "{d}");
            assert!(d >= bin_end_us(k - 1), "{d}");
        }
        // Ends grow by at most 1/32 of themselves past 64 us.
        for k in 64..1000 {
            let (a, b) = (bin_end_us(k - 1), bin_end_us(k));
            assert!(
                b > a && (b - a) as f64 / a as f64 <= 1.0 / 32.0 + 1e-12,
                "{k}"
            );
        }
    }

    #[test]
    fn the_curve_is_the_mean_share_reached_by_each_bin_end() {
        // Two broadcasts: of 4 peers (source, then one at 10 us, one at 1000 us) and of 2 peers (source, the other
        // at 10 us). At 11 us: (2/4 + 2/2) / 2 = 0.75; from 1000 us on: (3/4 + 1) / 2 = 0.875.
        let mut c = Coverage::default();
        for (d, online) in [(0, 4), (10, 4), (1000, 4), (0, 2), (10, 2)] {
            c.delivered(d, online);
        }
        c.ended(0.75, [Some(10), None, None]);
        c.ended(1.0, [Some(0), Some(10), Some(10)]);
        let curve = c.curve();
        assert_eq!(curve[0], (0.0, (0.25 + 0.5) / 2.0));
        let at = |t_us: u64| {
            curve
                .iter()
                .rev()
                .find(|(t, _)| *t <= t_us as f64 / 1e6)
                .map(|p| p.1)
        };
        assert_eq!(at(11), Some(0.75));
        assert_eq!(at(999), Some(0.75));
        assert_eq!(curve.last().map(|p| p.1), Some(0.875));
        assert_eq!(c.mean_share(), Some(0.875));
        assert_eq!(c.mean_time_s(0), Some(5e-6));
        assert_eq!(c.mean_time_s(2), Some(10e-6));
        assert_eq!(marks(100), [50, 90, 99]);
        assert_eq!(marks(101), [51, 91, 100]);
        assert_eq!(marks(1), [1, 1, 1]);
    }
}
