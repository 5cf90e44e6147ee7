//! Each headline metric against a swept key, one line per strategy; numeric keys on a numeric axis (log when
//! they span more than a factor of 10, with the key's unit from the scenario schema), labels (tables swept
//! whole) as categories, with markers and no lines. With several swept keys, the other keys' combinations get
//! their own dash and marker when there are at most 4 of them (and at most 16 lines); otherwise the other keys
//! are fixed at their values of the first point, as the subtitle says.

use std::collections::HashMap;

use plotters::style::RGBColor;

use super::super::chart::{Axis, DASHES, Figure, LegendEntry, MARKERS, Scale, Series, Style};
use super::super::legend;
use super::super::read::{MeanCi, Summary, SummaryRow};
use super::metric::{Metric, axis_label, bar, metric_axis, spans, wants_log};
use super::{FigureSet, describe_keys, interval_phrase, replications_of};
use crate::scenario::units::unit_of;

/// The values of a swept key, in the order they appear, and their x positions in plot units.
struct KeyAxis {
    axis: Axis,
    /// value text -> x (plot units)
    pos: HashMap<String, f64>,
    numeric: bool,
}

fn key_axis(key: &str, values: &[String], px: f64) -> KeyAxis {
    let nums: Option<Vec<f64>> = values.iter().map(|v| v.parse::<f64>().ok()).collect();
    let Some(nums) = nums.filter(|n| n.iter().all(|v| v.is_finite())) else {
        let axis = Axis::categories(key, values);
        let pos = values
            .iter()
            .enumerate()
            .map(|(i, v)| (v.clone(), i as f64))
            .collect();
        return KeyAxis {
            axis,
            pos,
            numeric: false,
        };
    };
    let min = nums.iter().copied().fold(f64::INFINITY, f64::min);
    let max = nums.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let unit = unit_of(key);
    let axis = if wants_log(&nums) {
        Axis::log_tight(&axis_label(key, unit, true), min, max)
    } else {
        Axis::linear(&axis_label(key, unit, false), min, max, 6)
    };
    let mapped: Vec<f64> = nums.iter().filter_map(|v| axis.map(*v)).collect();
    let axis = axis.ticks_at_values(&mapped, px);
    let pos = values
        .iter()
        .zip(&mapped)
        .map(|(v, x)| (v.clone(), *x))
        .collect();
    KeyAxis {
        axis,
        pos,
        numeric: true,
    }
}

/// Distinct values in order of first appearance.
pub(super) fn distinct(values: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

pub(super) fn figure(ctx: &FigureSet, summary: &Summary, k: usize, m: &Metric) -> Figure {
    let key = &summary.keys[k];
    let others: Vec<usize> = (0..summary.keys.len()).filter(|&i| i != k).collect();
    let combo_of =
        |r: &SummaryRow| -> Vec<String> { others.iter().map(|&i| r.keys[i].clone()).collect() };
    let mut combos: Vec<Vec<String>> = Vec::new();
    for r in &summary.rows {
        let c = combo_of(r);
        if !combos.contains(&c) {
            combos.push(c);
        }
    }
    let strategies = distinct(summary.rows.iter().map(|r| r.strategy.clone()));
    let all_combos = combos.len() <= MARKERS.len() && combos.len() * strategies.len() <= 16;
    if !all_combos {
        combos.truncate(1);
    }
    let rows: Vec<&SummaryRow> = summary
        .rows
        .iter()
        .filter(|r| combos.contains(&combo_of(r)))
        .collect();

    // Legend first: its width decides how much room the x ticks have.
    let styled = combos.len() > 1;
    let mut legend = Vec::new();
    if styled {
        legend.push(LegendEntry::heading("strategy"));
    }
    for s in &strategies {
        legend.push(LegendEntry::line(
            sweep_style(ctx, s, 0, styled),
            ctx.label(s),
        ));
    }
    if styled {
        legend.push(LegendEntry::heading("other swept keys"));
        for (j, c) in combos.iter().enumerate() {
            let dark = RGBColor(60, 60, 60);
            let st = Style {
                color: dark,
                dash: DASHES[j % DASHES.len()],
                width: 2,
                marker: Some(MARKERS[j % MARKERS.len()]),
            };
            let names: Vec<String> = others.iter().map(|&i| summary.keys[i].clone()).collect();
            legend.push(LegendEntry::line(st, describe_keys(&names, c)));
        }
    }

    let values = distinct(rows.iter().map(|r| r.keys[k].clone()));
    let ka = key_axis(key, &values, legend::plot_width(&legend));
    let estimates: Vec<MeanCi> = rows.iter().map(|r| Summary::get(r, m.name)).collect();
    let (vals, lows, highs) = spans(m.unit_interval, &estimates);
    let y = metric_axis(m, (&vals, &lows, &highs));
    let mut fig = Figure::new(&format!("{} against {key}", m.title), ka.axis.clone(), y);
    if !ka.numeric {
        // Labels are not ordered: markers only, and the legend shows no line either.
        for e in &mut legend {
            if let Some(st) = &mut e.style {
                st.width = 0;
            }
        }
    }
    fig.legend = legend;
    let any_ci = estimates.iter().any(|e| e.ci95.is_some());
    fig.subtitle
        .push(interval_phrase(replications_of(&rows), any_ci));
    if !others.is_empty() && !styled {
        let names: Vec<String> = others.iter().map(|&i| summary.keys[i].clone()).collect();
        fig.subtitle.push(format!(
            "Other swept keys fixed at {}",
            describe_keys(&names, &combos[0])
        ));
    }

    let lines = strategies.len() * combos.len();
    let dodge_step = if ka.numeric {
        fig.x.span() * 0.008
    } else {
        (0.6 / lines as f64).min(0.12)
    };
    let mut undefined = 0;
    let mut j = 0;
    for s in &strategies {
        for (ci, c) in combos.iter().enumerate() {
            let offset = (j as f64 - (lines as f64 - 1.0) / 2.0) * dodge_step;
            j += 1;
            let mut series = Series::new(sweep_style(ctx, s, ci, styled));
            let mut pts: Vec<(f64, MeanCi)> = rows
                .iter()
                .filter(|r| &r.strategy == s && &combo_of(r) == c)
                .filter_map(|r| {
                    ka.pos
                        .get(&r.keys[k])
                        .map(|x| (*x, Summary::get(r, m.name)))
                })
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut seg = Vec::new();
            for (x, e) in pts {
                let x = x + offset;
                match e.mean.and_then(|v| fig.y.map(v)) {
                    Some(y) => {
                        seg.push((x, y));
                        series.markers.push((x, y));
                        if let (Some(mean), Some(c)) = (e.mean, e.ci95.filter(|c| *c > 0.0)) {
                            let (lo, hi) = bar(m.unit_interval, mean, c);
                            let (lo, hi) = (fig.y.map_clamped(lo), fig.y.map_clamped(hi));
                            series.errors.push(((x, lo), (x, hi)));
                        }
                    }
                    None => {
                        undefined += 1;
                        if seg.len() > 1 && ka.numeric {
                            series.lines.push(std::mem::take(&mut seg));
                        }
                        seg.clear();
                    }
                }
            }
            if seg.len() > 1 && ka.numeric {
                series.lines.push(seg);
            }
            fig.series.push(series);
        }
    }
    if undefined > 0 {
        fig.subtitle.push(format!(
            "{undefined} undefined value(s) left out (empty in summary.csv{})",
            if fig.y.scale == Scale::Log {
                " or zero on the log scale"
            } else {
                ""
            }
        ));
    }
    fig
}

/// Colour by strategy; with several combinations of the other keys, dash and marker by combination,
/// otherwise the strategy's own style.
fn sweep_style(ctx: &FigureSet, strategy: &str, combo: usize, styled: bool) -> Style {
    if styled {
        return Style {
            color: ctx.color(strategy),
            dash: DASHES[combo % DASHES.len()],
            width: 2,
            marker: Some(MARKERS[combo % MARKERS.len()]),
        };
    }
    ctx.style(strategy)
}
