//! Per-strategy dot charts of a headline metric at one point: a dot per strategy with its 95% error bar and
//! its value printed above it, so the chart reads without the table.

use plotters::style::RGBColor;

use super::super::chart::{Axis, Dash, Figure, LegendEntry, Marker, Note, Series, Style};
use super::super::read::{MeanCi, Summary, SummaryRow};
use super::metric::{Metric, bar, mean_ci, metric_axis, spans};
use super::{FigureSet, interval_phrase, replications_of};

pub(super) fn figure(ctx: &FigureSet, m: &Metric, first: &[&SummaryRow]) -> Figure {
    // First strategy at the top.
    let rows: Vec<&SummaryRow> = first.iter().rev().copied().collect();
    let names: Vec<String> = rows.iter().map(|r| r.strategy.clone()).collect();
    let estimates: Vec<MeanCi> = rows.iter().map(|r| Summary::get(r, m.name)).collect();
    let (values, lows, highs) = spans(m.unit_interval, &estimates);
    let x = metric_axis(m, (&values, &lows, &highs));
    let y = Axis::categories("strategy", &names);
    let mut fig = Figure::new(&format!("{} per strategy", m.title), x, y);
    let any_ci = estimates.iter().any(|e| e.ci95.is_some());
    fig.subtitle
        .push(interval_phrase(replications_of(first), any_ci));
    ctx.point_line(&mut fig);
    let mut any_server = false;
    for (i, (row, e)) in rows.iter().zip(&estimates).enumerate() {
        let server = ctx.is_server(&row.strategy);
        any_server |= server;
        let marker = if server {
            Marker::Square
        } else {
            Marker::Circle
        };
        let style = Style::line(ctx.color(&row.strategy), Dash::Solid).with_marker(marker);
        fig.series.push(dot(
            &mut fig.notes,
            &fig.x,
            m,
            style,
            *e,
            i as f64,
            rows.len(),
        ));
    }
    if any_server {
        let dark = RGBColor(60, 60, 60);
        fig.legend = vec![
            LegendEntry::line(marker_only(dark, Marker::Circle), "peer-to-peer"),
            LegendEntry::line(marker_only(dark, Marker::Square), "client-server"),
        ];
    }
    fig
}

/// One estimate at row `yi`: its marker, error bar and printed value, or a note saying why it is not shown.
fn dot(
    notes: &mut Vec<Note>,
    x: &Axis,
    m: &Metric,
    style: Style,
    e: MeanCi,
    yi: f64,
    rows: usize,
) -> Series {
    let mut s = Series::new(style);
    match e.mean.and_then(|v| x.map(v)) {
        Some(v) => {
            s.markers.push((v, yi));
            // The value itself, above its marker, while the rows leave room for it.
            if rows <= 10 {
                let mut label = Note::new((v, yi), mean_ci(e).unwrap_or_default());
                label.dy = -18;
                label.centred = true;
                notes.push(label);
            }
            if let (Some(mean), Some(c)) = (e.mean, e.ci95.filter(|c| *c > 0.0)) {
                let (lo, hi) = bar(m.unit_interval, mean, c);
                s.errors
                    .push(((x.map_clamped(lo), yi), (x.map_clamped(hi), yi)));
            }
        }
        None => {
            let text = if e.mean.is_some() {
                "0 (not shown on a log scale)"
            } else {
                "undefined (no value in summary.csv)"
            };
            notes.push(Note::new((x.lo + x.span() * 0.02, yi), text));
        }
    }
    s
}

/// A legend sample with a marker and no visible line.
pub(super) fn marker_only(color: RGBColor, m: Marker) -> Style {
    Style {
        color,
        dash: Dash::Solid,
        width: 0,
        marker: Some(m),
    }
}
