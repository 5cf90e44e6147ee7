//! Load by tier (two-tier overlays): the mean load of a leaf and of an ultrapeer per strategy, from runs.csv's
//! `load_mean_leaf` and `load_mean_ultrapeer` (mean over replications ± 95% CI). The point of a two-tier
//! overlay is that ultrapeers carry the search so leaves do not; this figure shows by how much.

use std::collections::BTreeMap;

use plotters::style::RGBColor;

use super::super::chart::{Axis, Dash, Figure, LegendEntry, Marker, Note, Series, Style};
use super::super::read::{MeanCi, TierRow};
use super::bars::marker_only;
use super::metric::{bar, mean_ci, spans, value_axis};
use super::{FigureSet, interval_phrase};
use crate::metrics::stats;

/// The figure, or `None` when no run of the point has tiers (a flat overlay).
pub(super) fn figure(ctx: &FigureSet, rows: &[&TierRow]) -> Option<Figure> {
    // strategy index -> (leaf loads, ultrapeer loads) over replications
    let mut by: BTreeMap<usize, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for r in rows {
        if let (Some(leaf), Some(up)) = (r.leaf, r.ultrapeer) {
            let e = by.entry(ctx.index(&r.strategy)).or_default();
            e.0.push(leaf);
            e.1.push(up);
        }
    }
    if by.is_empty() {
        return None;
    }
    let estimate = |xs: &[f64]| MeanCi {
        mean: stats::mean(xs),
        ci95: stats::ci95_half_width(xs),
    };
    // First strategy at the top.
    let lines: Vec<(usize, MeanCi, MeanCi)> = by
        .iter()
        .rev()
        .map(|(&s, (leaf, up))| (s, estimate(leaf), estimate(up)))
        .collect();
    let all: Vec<MeanCi> = lines.iter().flat_map(|l| [l.1, l.2]).collect();
    let (values, lows, highs) = spans(false, &all);
    let x = value_axis(
        "mean messages received per peer",
        None,
        false,
        (&values, &lows, &highs),
    );
    let names: Vec<String> = lines.iter().map(|l| ctx.strategies[l.0].clone()).collect();
    let y = Axis::categories("strategy", &names);
    let mut fig = Figure::new("Load of leaves and ultrapeers", x, y);
    let counts: Vec<usize> = by.values().map(|v| v.0.len()).collect();
    let any_ci = all.iter().any(|e| e.ci95.is_some());
    fig.subtitle.push(interval_phrase(counts, any_ci));
    ctx.point_line(&mut fig);
    for (i, (s, leaf, up)) in lines.iter().enumerate() {
        let color = ctx.color(&ctx.strategies[*s]);
        for (e, marker, dy) in [(leaf, Marker::Circle, 0.15), (up, Marker::Triangle, -0.15)] {
            let style = Style::line(color, Dash::Solid).with_marker(marker);
            let mut series = Series::new(style);
            let yi = i as f64 + dy;
            if let Some(v) = e.mean.and_then(|v| fig.x.map(v)) {
                series.markers.push((v, yi));
                // The value goes right of the marker, or of its error bar when there is one.
                let mut right = v;
                if let (Some(m), Some(c)) = (e.mean, e.ci95.filter(|c| *c > 0.0)) {
                    let (lo, hi) = bar(false, m, c);
                    right = fig.x.map_clamped(hi);
                    series
                        .errors
                        .push(((fig.x.map_clamped(lo), yi), (right, yi)));
                }
                let mut note = Note::new((right, yi), mean_ci(*e).unwrap_or_default());
                note.dx = 12;
                fig.notes.push(note);
            }
            fig.series.push(series);
        }
    }
    let dark = RGBColor(60, 60, 60);
    fig.legend = vec![
        LegendEntry::line(marker_only(dark, Marker::Triangle), "ultrapeer"),
        LegendEntry::line(marker_only(dark, Marker::Circle), "leaf"),
    ];
    Some(fig)
}
