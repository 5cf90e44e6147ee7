//! Axes and their tick labels, in the house style: one label format per axis (plain numbers while every tick
//! is below 10,000; beyond, `20k`/`1.5M` on a linear axis and `10⁵` on a log one), "nice" steps (1, 2 or 5
//! times a power of ten), and a log axis labelled at decades.

use super::chart::{Axis, Scale};
use super::text;

/// Type size of tick labels (px).
pub const TICK_SIZE: f64 = 15.0;

/// Ticks at or above this go to the short (k/M) or power-of-ten format, the whole axis with them.
const PLAIN_BELOW: f64 = 10_000.0;

impl Axis {
    /// A linear axis covering [lo, hi] with about `n` nice ticks, padded slightly so markers at the ends
    /// are not cut.
    pub fn linear(label: &str, lo: f64, hi: f64, n: usize) -> Self {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (
                lo - 0.5_f64.max(lo.abs() * 0.1),
                hi + 0.5_f64.max(hi.abs() * 0.1),
            )
        };
        let step = nice_step((hi - lo) / n.max(1) as f64);
        let first = (lo / step + 1e-9).floor() * step;
        let last = (hi / step - 1e-9).ceil() * step;
        let mut values = Vec::new();
        let mut k = 0;
        loop {
            let v = first + k as f64 * step;
            if v > last + step * 1e-6 || k > 1000 {
                break;
            }
            values.push(v);
            k += 1;
        }
        let labels = linear_labels(&values, step);
        let pad = (last - first) * 0.025;
        Self {
            label: label.to_string(),
            lo: first - pad,
            hi: last + pad,
            scale: Scale::Linear,
            ticks: values.into_iter().zip(labels).collect(),
            minor: Vec::new(),
        }
    }

    /// A log axis covering whole decades around [min, max] (both > 0), labelled at decades.
    pub fn log(label: &str, min: f64, max: f64) -> Self {
        let lo = min.log10().floor();
        let hi = max.log10().ceil().max(lo + 1.0);
        let decades = (hi - lo) as i64;
        let every = (decades as f64 / 8.0).ceil().max(1.0) as i64;
        let plain = lo >= -3.0 && 10f64.powf(hi) < PLAIN_BELOW;
        let mut ticks = Vec::new();
        let mut minor = Vec::new();
        for d in lo as i64..=hi as i64 {
            if (d - lo as i64) % every == 0 {
                let label = if plain {
                    plain_number(10f64.powi(d as i32), if d < 0 { -d as usize } else { 0 })
                } else {
                    power_of_ten(d)
                };
                ticks.push((d as f64, label));
            }
            if decades <= 6 && d < hi as i64 {
                for m in 2..10 {
                    minor.push(d as f64 + (m as f64).log10());
                }
            }
        }
        let pad = (hi - lo) * 0.025;
        Self {
            label: label.to_string(),
            lo: lo - pad,
            hi: hi + pad,
            scale: Scale::Log,
            ticks,
            minor,
        }
    }

    /// A log axis just wider than [min, max] (both > 0), for values placed where they are (swept values): whole
    /// decades would leave most of a 30 .. 3600 axis empty.
    pub fn log_tight(label: &str, min: f64, max: f64) -> Self {
        let (a, b) = (min.log10(), max.log10());
        let pad = ((b - a) * 0.05).max(0.05);
        let mut axis = Self::log(label, min, max);
        axis.lo = a - pad;
        axis.hi = b + pad;
        axis
    }

    /// Categories at 0, 1, ..., n-1, labelled by `names`.
    pub fn categories(label: &str, names: &[String]) -> Self {
        Self {
            label: label.to_string(),
            lo: -0.5,
            hi: names.len().max(1) as f64 - 0.5,
            scale: Scale::Linear,
            ticks: names
                .iter()
                .enumerate()
                .map(|(i, n)| (i as f64, n.clone()))
                .collect(),
            minor: Vec::new(),
        }
    }

    /// Replaces the ticks by the given values (plot units), labelled as data values in one format, when they are
    /// few and far enough apart for their labels (`px` is the axis length in pixels); keeps the current ticks
    /// otherwise.
    pub fn ticks_at_values(mut self, values: &[f64], px: f64) -> Self {
        if values.is_empty() || values.len() > 12 {
            return self;
        }
        let data: Vec<f64> = values
            .iter()
            .map(|&v| match self.scale {
                Scale::Linear => v,
                Scale::Log => 10f64.powf(v),
            })
            .collect();
        let labels = value_labels(&data);
        let widest = labels
            .iter()
            .map(|l| text::width(l, TICK_SIZE, false))
            .max()
            .unwrap_or(0) as f64;
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let min_gap = sorted
            .windows(2)
            .map(|w| w[1] - w[0])
            .fold(f64::INFINITY, f64::min);
        if min_gap.is_finite() && min_gap / self.span() * px < widest + 12.0 {
            return self;
        }
        self.ticks = values.iter().copied().zip(labels).collect();
        self
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if raw.is_nan() || raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn decimals_for(step: f64) -> usize {
    (-(step.log10() + 1e-9).floor()).max(0.0) as usize
}

/// Labels of evenly spaced ticks `step` apart: plain with the step's decimals, or all in k (or M) when the
/// largest reaches 10,000.
fn linear_labels(values: &[f64], step: f64) -> Vec<String> {
    let top = values.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    if top < PLAIN_BELOW {
        let d = decimals_for(step);
        return values.iter().map(|&v| plain_number(v, d)).collect();
    }
    let (unit, suffix) = if top >= 1e6 { (1e6, "M") } else { (1e3, "k") };
    let d = decimals_for(step / unit);
    values
        .iter()
        .map(|&v| {
            if v.abs() < step * 1e-6 {
                "0".to_string()
            } else {
                format!("{}{suffix}", plain_number(v / unit, d))
            }
        })
        .collect()
}

/// Labels of arbitrary data values (swept values): up to 4 significant digits, no trailing zeros; in k for every
/// value when the largest reaches 10,000, or in M when every non-zero value is at least 0.1 M as well (payloads
/// of 1 kB to 1 MB read 1k .. 1000k, not 0.001M .. 1M).
pub fn value_labels(values: &[f64]) -> Vec<String> {
    let top = values.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    if top < PLAIN_BELOW {
        return values.iter().map(|&v| short_number(v)).collect();
    }
    let least = values
        .iter()
        .map(|v| v.abs())
        .filter(|&v| v > 0.0)
        .fold(f64::INFINITY, f64::min);
    let (unit, suffix) = if top >= 1e6 && least >= 1e5 {
        (1e6, "M")
    } else {
        (1e3, "k")
    };
    values
        .iter()
        .map(|&v| {
            if v == 0.0 {
                "0".into()
            } else {
                format!("{}{suffix}", short_number(v / unit))
            }
        })
        .collect()
}

/// `v` with `decimals` decimals, no thousands separator, no negative zero.
pub fn plain_number(v: f64, decimals: usize) -> String {
    let v = if v.abs() < 1e-12 { 0.0 } else { v };
    format!("{v:.decimals$}")
}

/// A data value as a short label: up to 4 significant digits, no trailing zeros.
pub fn short_number(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let mag = v.abs().log10().floor() as i32;
    let decimals = (3 - mag).clamp(0, 8) as usize;
    let mut s = format!("{v:.decimals$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    s
}

/// Inserts thousands separators into the integer part of a formatted number (tables, not axes).
pub fn group(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, ""), |(i, f)| (i, f));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{out}")
    } else {
        format!("{sign}{out}.{frac}")
    }
}

/// 10^d with a superscript exponent.
fn power_of_ten(d: i64) -> String {
    let sup: String = d
        .to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect();
    format!("10{sup}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(a: &Axis) -> Vec<&str> {
        a.ticks.iter().map(|t| t.1.as_str()).collect()
    }

    #[test]
    fn one_format_per_axis() {
        assert_eq!(
            labels(&Axis::linear("x", 0.0, 1.0, 5)),
            ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]
        );
        assert_eq!(
            labels(&Axis::linear("x", 0.0, 8000.0, 4)),
            ["0", "2000", "4000", "6000", "8000"]
        );
        assert_eq!(
            labels(&Axis::linear("x", 0.0, 12000.0, 3)),
            ["0", "5k", "10k", "15k"]
        );
        assert_eq!(
            labels(&Axis::linear("x", 0.0, 1.5e6, 3)),
            ["0", "0.5M", "1.0M", "1.5M"]
        );
        // A log axis below 10,000 is plain; one reaching it is in powers of ten throughout.
        assert_eq!(
            labels(&Axis::log("y", 0.9, 900.0)),
            ["0.1", "1", "10", "100", "1000"]
        );
        assert_eq!(
            labels(&Axis::log("y", 0.9, 3800.0)),
            ["10⁻¹", "10⁰", "10¹", "10²", "10³", "10⁴"]
        );
        assert_eq!(power_of_ten(-5), "10⁻⁵");
    }

    #[test]
    fn values_are_short() {
        assert_eq!(short_number(4.0), "4");
        assert_eq!(short_number(0.125), "0.125");
        assert_eq!(
            value_labels(&[1000.0, 3000.0, 100000.0]),
            ["1k", "3k", "100k"]
        );
        assert_eq!(value_labels(&[30.0, 3600.0]), ["30", "3600"]);
        assert_eq!(
            value_labels(&[1000.0, 300_000.0, 1e6]),
            ["1k", "300k", "1000k"]
        );
        assert_eq!(value_labels(&[2e5, 1e6, 5e6]), ["0.2M", "1M", "5M"]);
        assert_eq!(group("-1234567.5"), "-1,234,567.5");
    }
}
