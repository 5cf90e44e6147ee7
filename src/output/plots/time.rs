//! Time series of one point: online peers and the success rate over simulated time, with the warm-up shaded.

use std::collections::BTreeMap;

use super::super::chart::{self, Axis, Band, Dash, Figure, GREY, LegendEntry, Series, Style};
use super::super::read::BucketRow;
use super::super::ticks::short_number;
use super::{FigureSet, combined, no_rows};

/// Time axis unit for a run of `max_s` seconds: (divisor, label).
fn time_unit(max_s: f64) -> (f64, &'static str) {
    if max_s > 3.0 * 3600.0 {
        (3600.0, "h")
    } else if max_s > 1200.0 {
        (60.0, "min")
    } else {
        (1.0, "s")
    }
}

/// Buckets of one strategy, by start time (µs, to key floats exactly): the rows of every replication.
type ByTime<'a> = BTreeMap<i64, Vec<&'a BucketRow>>;

fn by_strategy<'a>(ctx: &FigureSet, rows: &[&'a BucketRow]) -> BTreeMap<usize, ByTime<'a>> {
    let mut out: BTreeMap<usize, ByTime> = BTreeMap::new();
    for r in rows {
        out.entry(ctx.index(&r.strategy))
            .or_default()
            .entry((r.t_s * 1e6).round() as i64)
            .or_default()
            .push(*r);
    }
    out
}

/// Bucket width in seconds: the smallest gap between bucket starts (0 with a single bucket).
fn bucket_width(rows: &[&BucketRow]) -> f64 {
    let mut t: Vec<f64> = rows.iter().map(|r| r.t_s).collect();
    t.sort_by(f64::total_cmp);
    t.dedup();
    let w = t
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 0.0)
        .fold(f64::INFINITY, f64::min);
    if w.is_finite() { w } else { 0.0 }
}

/// A time axis over the buckets: the axis, the divisor from seconds to its unit, the unit, the bucket width (s).
fn time_axis(rows: &[&BucketRow]) -> (Axis, f64, &'static str, f64) {
    let w = bucket_width(rows);
    let end = rows.iter().map(|r| r.t_s).fold(0.0, f64::max) + w;
    let (div, unit) = time_unit(end);
    let axis = Axis::linear(&format!("simulated time ({unit})"), 0.0, end / div, 6);
    (axis, div, unit, w)
}

/// Shades the warm-up, whose queries the metrics leave out; call after the legend's lines are in.
fn warmup_band(ctx: &FigureSet, fig: &mut Figure, div: f64, unit: &str) {
    if let Some(w) = ctx.warmup {
        fig.bands.push(Band {
            x0: fig.x.lo.max(0.0),
            x1: (w / div).min(fig.x.hi),
        });
        fig.legend.push(LegendEntry::band(
            chart::BAND,
            format!("warm-up, not in metrics ({} {unit})", short_number(w / div)),
        ));
    }
}

/// Online peers over time; `None` when the number never changes (no churn): a flat line carries no
/// information, and the report says so instead.
pub(super) fn online_figure(ctx: &FigureSet, rows: &[&BucketRow]) -> Option<Figure> {
    let (x, div, unit, w) = time_axis(rows);
    let groups = by_strategy(ctx, rows);
    // strategy -> [(t, mean online)]
    let mut curves: Vec<(usize, Vec<(f64, f64)>)> = Vec::new();
    let mut reps = Vec::new();
    for (&s, times) in &groups {
        let mut pts = Vec::new();
        for (&t, bucket) in times {
            let vals: Vec<f64> = bucket.iter().filter_map(|r| r.online_peers).collect();
            if !vals.is_empty() {
                let mean = vals.iter().sum::<f64>() / vals.len() as f64;
                pts.push(((t as f64 / 1e6 + w / 2.0) / div, mean));
            }
            reps.push(bucket.len());
        }
        curves.push((s, pts));
    }
    if is_flat(&curves) {
        return None;
    }
    let max = curves
        .iter()
        .flat_map(|(_, p)| p.iter().map(|q| q.1))
        .fold(0.0, f64::max);
    let y = Axis::linear("online peers", 0.0, if max > 0.0 { max } else { 1.0 }, 6);
    let mut fig = Figure::new("Online peers over time", x, y);
    fig.subtitle.push(format!(
        "Time-averaged per bucket, {}",
        combined("mean", reps)
    ));
    ctx.point_line(&mut fig);
    if curves.is_empty() {
        no_rows(&mut fig, "timeseries.csv");
    }
    let same = curves.windows(2).all(|c| same_curve(&c[0].1, &c[1].1));
    if same && curves.len() > 1 {
        let style = Style::line(GREY, Dash::Solid);
        let mut s = Series::new(style);
        s.lines.push(curves[0].1.clone());
        fig.series.push(s);
        fig.legend
            .push(LegendEntry::line(style, "every strategy (same churn)"));
    } else {
        for (s, pts) in curves {
            let name = &ctx.strategies[s];
            let style = strategy_line(ctx, s);
            let mut series = Series::new(style);
            series.lines.push(pts);
            fig.series.push(series);
            fig.legend.push(LegendEntry::line(style, ctx.label(name)));
        }
    }
    warmup_band(ctx, &mut fig, div, unit);
    Some(fig)
}

/// True when every plotted value is the same (and there is at least one): no churn, every peer online.
fn is_flat(curves: &[(usize, Vec<(f64, f64)>)]) -> bool {
    let mut values = curves.iter().flat_map(|(_, p)| p.iter().map(|q| q.1));
    let Some(first) = values.next() else {
        return false;
    };
    values.all(|v| (v - first).abs() <= 1e-9 * first.abs().max(1.0))
}

/// A strategy's line, without markers (time series have a point per bucket).
fn strategy_line(ctx: &FigureSet, s: usize) -> Style {
    Style {
        marker: None,
        ..ctx.style(&ctx.strategies[s])
    }
}

fn same_curve(a: &[(f64, f64)], b: &[(f64, f64)]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(p, q)| {
            (p.0 - q.0).abs() < 1e-9 && (p.1 - q.1).abs() <= 1e-9 * p.1.abs().max(1.0)
        })
}

/// Queries a plotted success rate should rest on, on average: fewer, and a single query moves it by more
/// than a few percent and the lines are noise.
const QUERIES_PER_WINDOW: f64 = 30.0;

/// (start s, queries, successes) of each bucket of one strategy, pooled over replications.
type Pooled = Vec<(f64, f64, f64)>;

/// How many buckets to pool into one plotted window so that each holds about [`QUERIES_PER_WINDOW`] queries
/// on average, keeping at least 10 windows.
fn window_size(pooled: &[Pooled]) -> usize {
    let per_bucket = pooled
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.iter().map(|b| b.1).sum::<f64>() / p.len() as f64)
        .fold(f64::INFINITY, f64::min);
    let buckets = pooled.iter().map(Vec::len).max().unwrap_or(0);
    if !(per_bucket.is_finite() && per_bucket > 0.0) {
        return 1;
    }
    let k = (QUERIES_PER_WINDOW / per_bucket).ceil() as usize;
    k.clamp(1, (buckets / 10).max(1))
}

pub(super) fn success_figure(ctx: &FigureSet, rows: &[&BucketRow]) -> Figure {
    let (x, div, unit, w) = time_axis(rows);
    let y = Axis::linear("success rate (share of queries answered)", 0.0, 1.0, 5);
    let mut fig = Figure::new("Success rate over time", x, y);
    let groups = by_strategy(ctx, rows);
    if groups.is_empty() {
        no_rows(&mut fig, "timeseries.csv");
    }
    let mut reps = Vec::new();
    let pooled: Vec<(usize, Pooled)> = groups
        .iter()
        .map(|(&s, times)| {
            let buckets = times
                .iter()
                .map(|(&t, bucket)| {
                    reps.push(bucket.len());
                    let q: f64 = bucket.iter().filter_map(|r| r.queries).sum();
                    let ok: f64 = bucket.iter().filter_map(|r| r.successes).sum();
                    (t as f64 / 1e6, q, ok)
                })
                .collect();
            (s, buckets)
        })
        .collect();
    let k = window_size(&pooled.iter().map(|p| p.1.clone()).collect::<Vec<_>>());
    for (s, buckets) in &pooled {
        let style = strategy_line(ctx, *s);
        let mut series = Series::new(style);
        let mut seg = Vec::new();
        for window in buckets.chunks(k) {
            let q: f64 = window.iter().map(|b| b.1).sum();
            let ok: f64 = window.iter().map(|b| b.2).sum();
            let mid = (window[0].0 + window[window.len() - 1].0 + w) / 2.0;
            if q > 0.0 {
                seg.push((mid / div, (ok / q).clamp(0.0, 1.0)));
            } else if !seg.is_empty() {
                series.lines.push(std::mem::take(&mut seg));
            }
        }
        if !seg.is_empty() {
            series.lines.push(seg);
        }
        fig.series.push(series);
        fig.legend
            .push(LegendEntry::line(style, ctx.label(&ctx.strategies[*s])));
    }
    mark_hidden(&mut fig);
    let window = if k > 1 {
        format!(
            "{} {unit} windows ({k} buckets)",
            short_number(k as f64 * w / div)
        )
    } else {
        "each bucket".to_string()
    };
    fig.subtitle.push(format!(
        "Successes / queries issued in {window}, {}",
        combined("pooled", reps)
    ));
    ctx.point_line(&mut fig);
    fig.subtitle
        .push("Windows without queries are left out (gaps in the line)".into());
    warmup_band(ctx, &mut fig, div, unit);
    fig
}

/// A line drawn over by a later one with the same points is invisible: its legend entry says so (and which
/// hides it), so a reader does not look for it in vain (TTL-7 flooding and an expanding ring answer the same).
pub(super) fn mark_hidden(fig: &mut Figure) {
    for i in 0..fig.series.len() {
        let hider = (i + 1..fig.series.len()).rev().find(|&j| {
            !fig.series[i].lines.is_empty() && fig.series[j].lines == fig.series[i].lines
        });
        if let Some(name) = hider
            .and_then(|j| fig.legend.get(j))
            .map(|e| e.label.clone())
            && let Some(entry) = fig.legend.get_mut(i)
        {
            entry.label = format!("{} (same as {name}, under it)", entry.label);
        }
    }
}
