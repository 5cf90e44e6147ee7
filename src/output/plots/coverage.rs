//! Broadcast coverage over time since issue: per strategy, the mean over replications of each run's mean
//! coverage curve (coverage.csv), with its 95% confidence band.

use std::collections::BTreeMap;

use super::super::chart::{Axis, Figure, LegendEntry, Series, Style};
use super::super::read::CoverageRow;
use super::metric::{axis_label, wants_log};
use super::{FigureSet, interval_phrase};
use crate::metrics::stats;

/// A run's curve as a step function: its value at `t_us` is that of its last point at or before it (its first
/// point is at 0; past its last point it stays there, the broadcasts having ended).
fn value_at(curve: &[(i64, f64)], t_us: i64) -> f64 {
    let i = curve.partition_point(|p| p.0 <= t_us);
    curve[i.saturating_sub(1)].1
}

/// The coverage figure of one point, `None` without broadcast rows.
pub(super) fn figure(ctx: &FigureSet, rows: &[&CoverageRow]) -> Option<Figure> {
    if rows.is_empty() {
        return None;
    }
    // strategy -> replication -> curve (microseconds, coverage) in time order; the grid of every time.
    let mut runs: BTreeMap<usize, BTreeMap<u64, Vec<(i64, f64)>>> = BTreeMap::new();
    let mut grid: Vec<i64> = Vec::new();
    for r in rows {
        let t = (r.t_s * 1e6).round() as i64;
        grid.push(t);
        runs.entry(ctx.index(&r.strategy))
            .or_default()
            .entry(r.replication)
            .or_default()
            .push((t, r.coverage));
    }
    grid.sort_unstable();
    grid.dedup();
    for reps in runs.values_mut() {
        for curve in reps.values_mut() {
            curve.sort_by_key(|p| p.0);
        }
    }
    let positive: Vec<f64> = grid
        .iter()
        .filter(|&&t| t > 0)
        .map(|&t| t as f64 / 1e6)
        .collect();
    let (lo, hi) = match (positive.first(), positive.last()) {
        (Some(&lo), Some(&hi)) => (lo, hi),
        _ => (0.0, 1.0),
    };
    let log = wants_log(&[lo, hi]);
    let name = "time since issue";
    let x = if log {
        Axis::log_tight(&axis_label(name, Some("s"), true), lo, hi)
    } else {
        Axis::linear(&axis_label(name, Some("s"), false), 0.0, hi, 6)
    };
    let mut y = Axis::linear("coverage (share of peers online at issue)", 0.0, 1.0, 5);
    y.ticks.retain(|t| t.0 <= 1.0 + 1e-9);
    let mut fig = Figure::new("Broadcast coverage over time", x, y);
    let mut counts = Vec::new();
    let mut any_band = false;
    for (&s, reps) in &runs {
        counts.push(reps.len());
        let style = Style {
            marker: None,
            ..ctx.style(&ctx.strategies[s])
        };
        let mut series = Series::new(style);
        let mut mean = Vec::new();
        let (mut upper, mut lower) = (Vec::new(), Vec::new());
        for &t in grid.iter().filter(|&&t| !log || t > 0) {
            let values: Vec<f64> = reps.values().map(|c| value_at(c, t)).collect();
            let Some(m) = stats::mean(&values) else {
                continue;
            };
            let Some(at) = fig.x.map(t as f64 / 1e6) else {
                continue;
            };
            mean.push((at, m));
            if let Some(h) = stats::ci95_half_width(&values) {
                upper.push((at, (m + h).min(1.0)));
                lower.push((at, (m - h).max(0.0)));
            }
        }
        if upper.len() == mean.len() && upper.len() > 1 {
            any_band = true;
            lower.reverse();
            upper.extend(lower);
            series.areas.push(upper);
        }
        series.lines.push(mean);
        fig.series.push(series);
        fig.legend
            .push(LegendEntry::line(style, ctx.label(&ctx.strategies[s])));
    }
    super::time::mark_hidden(&mut fig);
    fig.subtitle.push(format!(
        "{}{}",
        interval_phrase(counts, any_band),
        if any_band { " (shaded band)" } else { "" }
    ));
    ctx.point_line(&mut fig);
    fig.subtitle.push(
        "Coverage: share of the peers online at a broadcast's issue that have its payload, mean over broadcasts"
            .into(),
    );
    Some(fig)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_curve_holds_its_value_until_its_next_point_and_its_last_after_it() {
        let c = [(0, 0.01), (100, 0.5), (250, 0.9)];
        assert_eq!(value_at(&c, 0), 0.01);
        assert_eq!(value_at(&c, 99), 0.01);
        assert_eq!(value_at(&c, 100), 0.5);
        assert_eq!(value_at(&c, 1000), 0.9);
    }
}
