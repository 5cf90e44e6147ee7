//! Load Lorenz curves: how unevenly a strategy spreads its messages over the peers.

use std::collections::BTreeMap;

use super::super::chart::{Axis, Dash, Figure, GREY, LegendEntry, Series, Style};
use super::super::legend;
use super::super::read::{LorenzRow, Summary, SummaryRow};
use super::{FigureSet, combined, mean_ci, no_rows};

/// The mean curve over replications per strategy, the diagonal of equal load, and each strategy's Gini
/// (mean ± 95% CI, summary.csv) in the legend.
pub(super) fn figure(ctx: &FigureSet, rows: &[&LorenzRow], first: &[&SummaryRow]) -> Figure {
    // strategy -> percentile index -> (sum of load shares, count); replications per strategy.
    let mut curves: BTreeMap<usize, BTreeMap<i64, (f64, usize)>> = BTreeMap::new();
    let mut reps: BTreeMap<usize, Vec<u64>> = BTreeMap::new();
    for r in rows {
        let s = ctx.index(&r.strategy);
        let cell = curves
            .entry(s)
            .or_default()
            .entry((r.peer_share * 1e4).round() as i64)
            .or_insert((0.0, 0));
        cell.0 += r.load_share;
        cell.1 += 1;
        let seen = reps.entry(s).or_default();
        if !seen.contains(&r.replication) {
            seen.push(r.replication);
        }
    }
    let mut x = Axis::linear("share of peers, least loaded first", 0.0, 1.0, 5);
    x.ticks.retain(|t| t.0 <= 1.0 + 1e-9);
    let mut y = Axis::linear("share of all load", 0.0, 1.0, 5);
    y.ticks.retain(|t| t.0 <= 1.0 + 1e-9);
    let mut fig = Figure::new("Load Lorenz curves", x, y);
    let phrase = combined("mean", reps.values().map(Vec::len).collect());
    let gini = if first
        .iter()
        .any(|r| Summary::get(r, "load_gini").ci95.is_some())
    {
        "mean ± 95% CI from summary.csv"
    } else {
        "from summary.csv"
    };
    fig.subtitle.push(format!("Curve: {phrase}; Gini: {gini}"));
    ctx.point_line(&mut fig);
    fig.subtitle
        .push("Further below the diagonal = load concentrated on fewer peers".into());

    let diagonal = Style::line(GREY, Dash::Dotted);
    let mut diag = Series::new(diagonal);
    diag.lines.push(vec![(0.0, 0.0), (1.0, 1.0)]);
    fig.series.push(diag);
    fig.legend
        .push(LegendEntry::line(diagonal, "equal load (Gini 0)"));
    for (&s, curve) in &curves {
        let name = &ctx.strategies[s];
        let style = Style {
            marker: None,
            ..ctx.style(name)
        };
        let mut series = Series::new(style);
        series.lines.push(
            curve
                .iter()
                .map(|(&k, &(sum, n))| (k as f64 / 1e4, (sum / n as f64).clamp(0.0, 1.0)))
                .collect(),
        );
        fig.series.push(series);
        let gini = first
            .iter()
            .find(|r| &r.strategy == name)
            .and_then(|r| mean_ci(Summary::get(r, "load_gini")))
            .unwrap_or_else(|| "undefined".into());
        let label = format!("{}, Gini {gini}", ctx.label(name));
        fig.legend.push(LegendEntry::line(style, label));
    }
    if curves.is_empty() {
        no_rows(&mut fig, "lorenz.csv");
    }
    // Curves lie below the diagonal, so the top-left corner is free for a legend that stays in the
    // triangle above it (at most 7 rows, under 460 px wide); a longer one goes beside or under the plot.
    fig.legend_inside = fig.legend.len() <= 7 && legend::column_width(&fig.legend) <= 460;
    fig
}
