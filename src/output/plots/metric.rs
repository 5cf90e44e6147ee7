//! The headline metrics and how a value of one is shown: its axis (units once, in the label; log when the
//! values span more than a factor of 10), its error bar, and its printed estimate (the 95% interval's
//! half-width to two significant digits, the mean to the same decimals).

use super::super::chart::Axis;
use super::super::read::MeanCi;
use super::super::ticks::group;

/// A headline metric of summary.csv, with how to show it.
pub struct Metric {
    pub name: &'static str,
    pub title: &'static str,
    /// The axis label, without its unit.
    pub axis: &'static str,
    pub unit: Option<&'static str>,
    /// A fraction, always shown on [0, 1].
    pub unit_interval: bool,
    /// Drawn per point as bars (false: only against swept keys, where a per-point figure shows it otherwise).
    pub per_point: bool,
}

/// The metrics drawn per strategy and against every swept key.
pub const METRICS: [Metric; 6] = [
    Metric {
        name: "success_rate",
        title: "Success rate",
        axis: "success rate",
        unit: Some("share of queries answered"),
        unit_interval: true,
        per_point: true,
    },
    Metric {
        name: "messages_per_query",
        title: "Messages per query",
        axis: "messages per query",
        unit: None,
        unit_interval: false,
        per_point: true,
    },
    Metric {
        name: "mean_hops",
        title: "Hops to the first hit",
        axis: "mean hops to the first hit",
        unit: None,
        unit_interval: false,
        per_point: true,
    },
    Metric {
        name: "mean_latency_s",
        title: "Latency to the first hit",
        axis: "mean latency to the first hit",
        unit: Some("s"),
        unit_interval: false,
        per_point: true,
    },
    Metric {
        name: "load_max",
        title: "Load of the busiest node",
        axis: "messages received by the busiest node",
        unit: None,
        unit_interval: false,
        per_point: true,
    },
    Metric {
        name: "load_gini",
        title: "Load inequality",
        axis: "Gini coefficient of node load",
        unit: None,
        unit_interval: true,
        per_point: true,
    },
];

/// The metrics of broadcasts, drawn per strategy and against every swept key when a folder has broadcasts.
pub const BROADCAST_METRICS: [Metric; 2] = [
    Metric {
        name: "coverage",
        title: "Broadcast coverage",
        axis: "coverage",
        unit: Some("share of peers online at issue"),
        unit_interval: true,
        // Per point, coverage.png shows it over time.
        per_point: false,
    },
    Metric {
        name: "t90_s",
        title: "Time to 90% coverage",
        axis: "mean time to 90% of the peers",
        unit: Some("s"),
        unit_interval: false,
        per_point: true,
    },
];

/// Search metrics that mean nothing for a broadcast (it has no first hit; its success is reaching 99%).
const HIT_METRICS: [&str; 2] = ["mean_hops", "mean_latency_s"];

/// The metrics a folder's figures show: the headline metrics, without the first hit's when every strategy is a
/// broadcast, and the broadcast metrics when one is.
pub fn metrics_for(broadcasts: usize, strategies: usize) -> Vec<&'static Metric> {
    let only_broadcasts = broadcasts > 0 && broadcasts == strategies;
    let mut list: Vec<&Metric> = METRICS
        .iter()
        .filter(|m| !(only_broadcasts && HIT_METRICS.contains(&m.name)))
        .collect();
    if broadcasts > 0 {
        list.extend(BROADCAST_METRICS.iter());
    }
    list
}

/// Values spanning more than this ratio go on a log axis (SPEC: "more than a factor of 10").
pub const LOG_RATIO: f64 = 10.0;

/// An axis label with its unit and scale said once: `mean latency (s, log scale)`.
pub fn axis_label(name: &str, unit: Option<&str>, log: bool) -> String {
    match (unit, log) {
        (Some(u), true) => format!("{name} ({u}, log scale)"),
        (Some(u), false) => format!("{name} ({u})"),
        (None, true) => format!("{name} (log scale)"),
        (None, false) => name.to_string(),
    }
}

/// True when positive `values` span more than [`LOG_RATIO`] (every one of them positive).
pub fn wants_log(values: &[f64]) -> bool {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    !values.is_empty() && min > 0.0 && max / min > LOG_RATIO
}

/// An axis for values `lows`..`highs` of a quantity: log when the values span more than a factor of 10 (SPEC:
/// shares too, so a strategy answering 2% of queries is not a sliver on 0; a share's log axis ends at 1),
/// otherwise [0, 1] for a share and linear from zero for the rest.
pub fn value_axis(
    name: &str,
    unit: Option<&str>,
    unit_interval: bool,
    (values, lows, highs): (&[f64], &[f64], &[f64]),
) -> Axis {
    if wants_log(values) {
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lo = lows
            .iter()
            .copied()
            .filter(|v| *v > 0.0)
            .fold(min, f64::min);
        let hi = highs.iter().copied().fold(max, f64::max);
        let hi = if unit_interval { hi.min(1.0) } else { hi };
        return Axis::log(&axis_label(name, unit, true), lo, hi);
    }
    let label = axis_label(name, unit, false);
    if unit_interval {
        return Axis::linear(&label, 0.0, 1.0, 5);
    }
    let lo = lows.iter().copied().fold(0.0, f64::min);
    let hi = highs.iter().copied().fold(0.0, f64::max);
    Axis::linear(&label, lo, if hi > 0.0 { hi } else { 1.0 }, 6)
}

/// The axis of a headline metric.
pub fn metric_axis(m: &Metric, spans: (&[f64], &[f64], &[f64])) -> Axis {
    value_axis(m.axis, m.unit, m.unit_interval, spans)
}

/// Means and error-bar ends of the estimates that have a mean. Every headline metric is non-negative (and
/// fractions at most 1), so bars are cut there: the Student-t interval is symmetric and would cross zero.
pub fn spans(unit_interval: bool, estimates: &[MeanCi]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut values = Vec::new();
    let mut lows = Vec::new();
    let mut highs = Vec::new();
    for e in estimates {
        if let Some(v) = e.mean {
            let (lo, hi) = bar(unit_interval, v, e.ci95.unwrap_or(0.0));
            values.push(v);
            lows.push(lo);
            highs.push(hi);
        }
    }
    (values, lows, highs)
}

/// The error bar of `mean ± ci`, cut to the possible values (non-negative; at most 1 for fractions).
pub fn bar(unit_interval: bool, mean: f64, ci: f64) -> (f64, f64) {
    let hi = if unit_interval { 1.0 } else { f64::INFINITY };
    ((mean - ci).max(0.0), (mean + ci).min(hi))
}

/// "0.9843 ± 0.0076", "3,851 ± 82": the half-width of the 95% interval to two significant digits and the
/// mean to the same decimals, so the interval's size always shows; a zero interval as "± 0"; without an
/// interval, the mean to three significant digits; `None` when the mean is undefined.
pub fn mean_ci(e: MeanCi) -> Option<String> {
    let mean = e.mean?;
    let ci = e.ci95.filter(|c| *c > 0.0 && c.is_finite());
    let decimals: i32 = match ci {
        Some(c) => 1 - c.log10().floor() as i32,
        None if mean == 0.0 => 0,
        None => 2 - mean.abs().log10().floor() as i32,
    };
    let show = |v: f64| -> String {
        let s = if decimals >= 0 {
            let d = decimals.min(12) as usize;
            format!("{v:.d$}")
        } else {
            let q = 10f64.powi(-decimals);
            format!("{:.0}", (v / q).round() * q)
        };
        let s = if s
            .trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            s.trim_start_matches('-').to_string()
        } else {
            s
        };
        if v.abs() >= 1000.0 { group(&s) } else { s }
    };
    Some(match (e.ci95, ci) {
        (_, Some(c)) => format!("{} ± {}", show(mean), show(c)),
        (Some(_), None) => format!("{} ± 0", show(mean)),
        (None, _) => show(mean),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(m: f64, c: Option<f64>) -> MeanCi {
        MeanCi {
            mean: Some(m),
            ci95: c,
        }
    }

    #[test]
    fn intervals_show_their_size() {
        assert_eq!(
            mean_ci(e(0.984319, Some(0.007591))).unwrap(),
            "0.9843 ± 0.0076"
        );
        assert_eq!(
            mean_ci(e(3850.636668, Some(82.148364))).unwrap(),
            "3,851 ± 82"
        );
        assert_eq!(
            mean_ci(e(0.154877, Some(0.000114))).unwrap(),
            "0.15488 ± 0.00011"
        );
        assert_eq!(mean_ci(e(1.0, Some(0.0))).unwrap(), "1.00 ± 0");
        assert_eq!(
            mean_ci(e(1159639.67, Some(134783.76))).unwrap(),
            "1,160,000 ± 130,000"
        );
        assert_eq!(mean_ci(e(4.757145, None)).unwrap(), "4.76");
        assert_eq!(mean_ci(MeanCi::default()), None);
    }

    #[test]
    fn labels_carry_units_once() {
        assert_eq!(
            axis_label("mean latency", Some("s"), true),
            "mean latency (s, log scale)"
        );
        assert_eq!(
            axis_label("churn.session.mean", Some("s"), false),
            "churn.session.mean (s)"
        );
        assert!(wants_log(&[46.0, 4000.0]));
        assert!(!wants_log(&[1.0, 7.0]));
        assert!(!wants_log(&[0.0, 100.0]));
    }
}
