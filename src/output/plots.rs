//! Plots of a results folder, drawn from its CSV files alone (PNG and SVG, with an embedded font), so
//! `gnutsim plot DIR` redraws exactly what a run draws.
//!
//! Files written into `DIR/plots/` (each as `.png` and `.svg`; earlier PNGs and SVGs there are removed first):
//! - `lorenz`: load Lorenz curves at the first point, the mean curve over replications, one per strategy
//!   (client-server dashed), with the diagonal of equal load; Gini (mean ± 95% CI, summary.csv) in the legend;
//! - `<metric>` for the six headline metrics ([`METRICS`]): a dot per strategy with its 95% error bar and value,
//!   at the first point; client-server as squares;
//! - `timeseries_online`: online peers over time (time-averaged per bucket, mean over replications), one line
//!   per strategy, or one line when every strategy saw the same churn (the usual case);
//! - `timeseries_success`: successes / queries issued, pooled over replications and over windows of buckets
//!   holding about 30 queries on average (a per-bucket ratio of a handful of queries is noise);
//! - `sweep_<metric>_vs_<key>`: for a sweep, each headline metric against each swept key (that takes two values
//!   or more), one line per strategy; numeric keys on a numeric axis (log when they span more than a factor 30),
//!   labels (tables swept whole) as categories, with markers and no lines. With several swept keys, the other
//!   keys' combinations get their own dash and marker when there are at most 4 of them (and at most 16 lines);
//!   otherwise the other keys are fixed at their values of the first point, as the subtitle says.
//!
//! "The first point" is the smallest point index in summary.csv (the first value of every swept key); its key
//! values are printed under the title. Metric axes: fractions on [0, 1]; others from zero, or log when the
//! means span more than a factor 100. Error bars are cut at 0 (and at 1 for fractions). Past the palette's 7
//! colours, strategies get dotted lines and other markers.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;

use anyhow::{Context, bail};

use super::chart::{
    self, Axis, Band, DASHES, Dash, Figure, GREY, LegendEntry, MARKERS, Marker, Note, Scale,
    Series, Style,
};
use super::font;
use super::read::{self, MeanCi, Summary, SummaryRow};
use super::report::mean_ci;

/// A headline metric of summary.csv, with how to show it.
pub struct Metric {
    pub name: &'static str,
    pub title: &'static str,
    pub axis: &'static str,
    /// A fraction, always shown on [0, 1].
    pub unit_interval: bool,
}

/// The metrics drawn per strategy and against every swept key.
pub const METRICS: [Metric; 6] = [
    Metric {
        name: "success_rate",
        title: "Success rate",
        axis: "success rate (share of queries answered)",
        unit_interval: true,
    },
    Metric {
        name: "messages_per_query",
        title: "Messages per query",
        axis: "messages per query",
        unit_interval: false,
    },
    Metric {
        name: "mean_hops",
        title: "Hops to the first hit",
        axis: "mean hops to the first hit",
        unit_interval: false,
    },
    Metric {
        name: "mean_latency_s",
        title: "Latency to the first hit",
        axis: "mean latency to the first hit (s)",
        unit_interval: false,
    },
    Metric {
        name: "load_max",
        title: "Load of the busiest node",
        axis: "messages received by the busiest node",
        unit_interval: false,
    },
    Metric {
        name: "load_gini",
        title: "Load inequality",
        axis: "Gini coefficient of node load",
        unit_interval: true,
    },
];

/// Values spanning more than this ratio go on a log axis.
const LOG_RATIO: f64 = 100.0;
/// Swept numeric values spanning more than this ratio go on a log axis (sweeps are often geometric).
const SWEEP_LOG_RATIO: f64 = 30.0;

/// What every figure of a folder shares: strategy order, colours and kinds, and the first point.
struct FigureSet {
    strategies: Vec<String>,
    kinds: HashMap<String, String>,
    /// "key = value" of every swept key at the first point (empty without a sweep).
    point_desc: String,
    warmup: Option<f64>,
}

impl FigureSet {
    fn index(&self, strategy: &str) -> usize {
        self.strategies
            .iter()
            .position(|s| s == strategy)
            .unwrap_or(self.strategies.len())
    }

    fn color(&self, strategy: &str) -> plotters::style::RGBColor {
        chart::color(self.index(strategy))
    }

    /// How a strategy is drawn wherever lines tell strategies apart: its colour; client-server dashed with
    /// square markers; past the palette's 7 colours, dotted lines and other markers so no two look alike.
    fn style(&self, strategy: &str) -> Style {
        let i = self.index(strategy);
        let cycle = i / chart::PALETTE_LEN;
        let color = chart::color(i);
        if self.is_server(strategy) {
            return Style::line(color, Dash::Dashed).with_marker(Marker::Square);
        }
        let (dash, marker) = match cycle {
            0 => (Dash::Solid, Marker::Circle),
            1 => (Dash::Dotted, Marker::Triangle),
            _ => (Dash::Dotted, Marker::Diamond),
        };
        Style::line(color, dash).with_marker(marker)
    }

    fn is_server(&self, strategy: &str) -> bool {
        self.kinds
            .get(strategy)
            .is_some_and(|k| k == "client-server")
    }

    /// Adds a subtitle line naming the point shown, when the folder has a sweep.
    fn point_line(&self, fig: &mut Figure) {
        if !self.point_desc.is_empty() {
            fig.subtitle
                .push(format!("At the first sweep point: {}", self.point_desc));
        }
    }
}

/// Draws every plot of the results folder `dir` into `dir/plots/`, replacing the PNG and SVG files there.
pub fn draw_all(dir: &Path) -> anyhow::Result<()> {
    font::ensure()?;
    let summary = read::summary(dir)?;
    let kinds = read::strategy_kinds(dir)?;
    let scenario = read::scenario(dir)?;
    let Some(point) = summary.first_point() else {
        bail!("summary.csv in {} has no rows", dir.display());
    };
    let first = summary.at_point(point);
    let point_desc = first
        .first()
        .map(|r| describe_keys(&summary.keys, &r.keys))
        .unwrap_or_default();
    let mut ctx = FigureSet {
        strategies: summary.strategies(),
        kinds,
        point_desc,
        warmup: scenario.warmup.filter(|w| *w > 0.0),
    };
    let lorenz = read::lorenz(dir, point)?;
    let buckets = read::timeseries(dir, point)?;
    for s in lorenz
        .iter()
        .map(|r| &r.strategy)
        .chain(buckets.iter().map(|r| &r.strategy))
    {
        if !ctx.strategies.contains(s) {
            ctx.strategies.push(s.clone());
        }
    }

    let mut figures = vec![("lorenz".to_string(), lorenz_figure(&ctx, &lorenz, &first))];
    for m in &METRICS {
        figures.push((m.name.to_string(), strategy_figure(&ctx, m, &first)));
    }
    figures.push(("timeseries_online".into(), online_figure(&ctx, &buckets)));
    figures.push(("timeseries_success".into(), success_figure(&ctx, &buckets)));
    for (k, key) in summary.keys.iter().enumerate() {
        // A key swept over one value varies nothing: no plot against it.
        if distinct(summary.rows.iter().map(|r| r.keys[k].clone())).len() < 2 {
            continue;
        }
        for m in &METRICS {
            let stem = format!("sweep_{}_vs_{}", m.name, file_part(key));
            figures.push((stem, sweep_figure(&ctx, &summary, k, m)));
        }
    }

    let out = dir.join("plots");
    clear_plots(&out)?;
    for (stem, fig) in &figures {
        chart::save(fig, &out, stem).with_context(|| format!("cannot draw plots/{stem}"))?;
    }
    Ok(())
}

/// Creates `plots/` or empties it of earlier PNG and SVG files (a redraw must not leave stale sweep plots).
fn clear_plots(out: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for entry in fs::read_dir(out).with_context(|| format!("cannot list {}", out.display()))? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if path.is_file() && (ext == "png" || ext == "svg") {
            fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    Ok(())
}

/// A swept key as part of a file name: letters, digits, `-` and `_` kept, anything else `_`.
pub fn file_part(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Where a plot belongs in the report: its section (0 load, 1 per strategy, 2 over time, 3 sweeps, 4 other),
/// a key ordering it within the section, and a caption; from its file stem alone.
pub fn describe(stem: &str) -> (usize, String, String) {
    if stem == "lorenz" {
        return (0, String::new(), "Load Lorenz curves".into());
    }
    if let Some(i) = METRICS.iter().position(|m| m.name == stem) {
        let caption = format!("{} per strategy", METRICS[i].title);
        return (1, format!("{i:02}"), caption);
    }
    match stem {
        "timeseries_online" => return (2, "0".into(), "Online peers over time".into()),
        "timeseries_success" => return (2, "1".into(), "Success rate over time".into()),
        _ => {}
    }
    if let Some(rest) = stem.strip_prefix("sweep_") {
        for (i, m) in METRICS.iter().enumerate() {
            if let Some(key) = rest
                .strip_prefix(m.name)
                .and_then(|r| r.strip_prefix("_vs_"))
            {
                let caption = format!("{} against {key}", m.title);
                return (3, format!("{key} {i:02}"), caption);
            }
        }
    }
    (4, stem.to_string(), stem.to_string())
}

fn describe_keys(keys: &[String], values: &[String]) -> String {
    keys.iter()
        .zip(values)
        .map(|(k, v)| format!("{k} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "3 replications" / "1 replication" / "2 to 3 replications" from the counts seen.
fn replications_phrase(counts: impl IntoIterator<Item = usize>) -> String {
    let mut c: Vec<usize> = counts.into_iter().collect();
    c.sort_unstable();
    c.dedup();
    match c.as_slice() {
        [] => "no replication".into(),
        [1] => "1 replication".into(),
        [n] => format!("{n} replications"),
        [a, .., b] => format!("{a} to {b} replications"),
    }
}

/// "mean over 3 replications" (`how` = "mean", "pooled") or "1 replication".
fn combined(how: &str, counts: Vec<usize>) -> String {
    if counts.iter().all(|&n| n <= 1) {
        replications_phrase(counts)
    } else {
        format!("{how} over {}", replications_phrase(counts))
    }
}

/// How the estimates of a figure were made, for its subtitle.
fn interval_phrase(counts: Vec<usize>, any_ci: bool) -> String {
    let single = counts.iter().all(|&n| n <= 1);
    let reps = replications_phrase(counts);
    if single {
        format!("{reps}: no confidence interval")
    } else if any_ci {
        format!("Mean over {reps} ± 95% confidence interval")
    } else {
        format!("Mean over {reps} (confidence intervals undefined)")
    }
}

fn replications_of(rows: &[&SummaryRow]) -> Vec<usize> {
    rows.iter()
        .filter_map(|r| r.replications)
        .map(|r| r.round().max(0.0) as usize)
        .collect()
}

fn strategy_label(ctx: &FigureSet, strategy: &str) -> String {
    if ctx.is_server(strategy) {
        format!("{strategy} (client-server)")
    } else {
        strategy.to_string()
    }
}

// ---------------------------------------------------------------------------------------------------------
// Lorenz curves

fn lorenz_figure(ctx: &FigureSet, rows: &[read::LorenzRow], first: &[&SummaryRow]) -> Figure {
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
            .map(|r| Summary::get(r, "load_gini"))
            .unwrap_or_default();
        let label = format!("{}, Gini {}", strategy_label(ctx, name), mean_ci_text(gini));
        fig.legend.push(LegendEntry::line(style, label));
    }
    if curves.is_empty() {
        no_rows(&mut fig, "lorenz.csv");
    }
    // Curves lie below the diagonal, so the top-left corner is free for a legend that stays in the
    // triangle above it (at most 7 rows, under 420 px wide); a longer one goes beside the plot.
    fig.legend_inside = fig.legend.len() <= 7 && chart::legend_width(&fig.legend) <= 420;
    fig
}

/// Says on the plot that `file` had nothing to draw.
fn no_rows(fig: &mut Figure, file: &str) {
    let at = (
        fig.x.lo + fig.x.span() * 0.05,
        fig.y.lo + fig.y.span() * 0.5,
    );
    fig.notes
        .push(Note::new(at, format!("{file} has no rows for this point")));
}

/// "0.253 ± 0.011", "0.253" without a CI, "undefined" without a mean.
fn mean_ci_text(e: MeanCi) -> String {
    match (e.mean, e.ci95) {
        (None, _) => "undefined".into(),
        (Some(m), None) => format!("{m:.3}"),
        (Some(m), Some(c)) => format!("{m:.3} ± {c:.3}"),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Per-strategy dot charts

/// An axis for the values `lows`..`highs` of a metric: [0, 1] for fractions, log when they span decades,
/// otherwise linear from zero.
fn metric_axis(m: &Metric, values: &[f64], lows: &[f64], highs: &[f64]) -> Axis {
    if m.unit_interval {
        return Axis::linear(m.axis, 0.0, 1.0, 5);
    }
    let positive: Vec<f64> = values.iter().copied().filter(|v| *v > 0.0).collect();
    let min = positive.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if positive.len() == values.len() && !values.is_empty() && max / min > LOG_RATIO {
        let lo = lows
            .iter()
            .copied()
            .filter(|v| *v > 0.0)
            .fold(min, f64::min);
        let hi = highs.iter().copied().fold(max, f64::max);
        return Axis::log(&format!("{} (log scale)", m.axis), lo, hi);
    }
    let lo = lows.iter().copied().fold(0.0, f64::min);
    let hi = highs.iter().copied().fold(0.0, f64::max);
    Axis::linear(m.axis, lo, if hi > 0.0 { hi } else { 1.0 }, 6)
}

/// Means and error-bar ends of the estimates that have a mean. Every headline metric is non-negative (and
/// fractions at most 1), so bars are cut there: the Student-t interval is symmetric and would cross zero.
fn spans(m: &Metric, estimates: &[MeanCi]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut values = Vec::new();
    let mut lows = Vec::new();
    let mut highs = Vec::new();
    for e in estimates {
        if let Some(v) = e.mean {
            let (lo, hi) = bar(m, v, e.ci95.unwrap_or(0.0));
            values.push(v);
            lows.push(lo);
            highs.push(hi);
        }
    }
    (values, lows, highs)
}

/// The error bar of `mean ± ci`, cut to the metric's possible values.
fn bar(m: &Metric, mean: f64, ci: f64) -> (f64, f64) {
    let hi = if m.unit_interval { 1.0 } else { f64::INFINITY };
    ((mean - ci).max(0.0), (mean + ci).min(hi))
}

fn strategy_figure(ctx: &FigureSet, m: &Metric, first: &[&SummaryRow]) -> Figure {
    // First strategy at the top.
    let rows: Vec<&SummaryRow> = first.iter().rev().copied().collect();
    let names: Vec<String> = rows.iter().map(|r| r.strategy.clone()).collect();
    let estimates: Vec<MeanCi> = rows.iter().map(|r| Summary::get(r, m.name)).collect();
    let (values, lows, highs) = spans(m, &estimates);
    let x = metric_axis(m, &values, &lows, &highs);
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
        let mut s =
            Series::new(Style::line(ctx.color(&row.strategy), Dash::Solid).with_marker(marker));
        let yi = i as f64;
        match e.mean.and_then(|v| fig.x.map(v)) {
            Some(v) => {
                s.markers.push((v, yi));
                // The value itself, above its marker, so the chart can be read without the table
                // (while the rows leave room for it).
                if rows.len() <= 10 {
                    let mut label = Note::new((v, yi), mean_ci(*e).unwrap_or_default());
                    label.dy = -18;
                    label.centred = true;
                    fig.notes.push(label);
                }
                if let (Some(mean), Some(c)) = (e.mean, e.ci95.filter(|c| *c > 0.0)) {
                    let (lo, hi) = bar(m, mean, c);
                    let (lo, hi) = (fig.x.map_clamped(lo), fig.x.map_clamped(hi));
                    s.errors.push(((lo, yi), (hi, yi)));
                }
            }
            None => {
                let text = if e.mean.is_some() {
                    "0 (not shown on a log scale)"
                } else {
                    "undefined (no value in summary.csv)"
                };
                fig.notes
                    .push(Note::new((fig.x.lo + fig.x.span() * 0.02, yi), text));
            }
        }
        fig.series.push(s);
    }
    if any_server {
        let dark = plotters::style::RGBColor(60, 60, 60);
        fig.legend = vec![
            LegendEntry::line(marker_only(dark, Marker::Circle), "peer-to-peer"),
            LegendEntry::line(marker_only(dark, Marker::Square), "client-server"),
        ];
    }
    fig
}

/// A legend sample with a marker and no visible line.
fn marker_only(color: plotters::style::RGBColor, m: Marker) -> Style {
    Style {
        color,
        dash: Dash::Solid,
        width: 0,
        marker: Some(m),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Time series

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
type ByTime<'a> = BTreeMap<i64, Vec<&'a read::BucketRow>>;

fn by_strategy<'a>(ctx: &FigureSet, rows: &'a [read::BucketRow]) -> BTreeMap<usize, ByTime<'a>> {
    let mut out: BTreeMap<usize, ByTime> = BTreeMap::new();
    for r in rows {
        out.entry(ctx.index(&r.strategy))
            .or_default()
            .entry((r.t_s * 1e6).round() as i64)
            .or_default()
            .push(r);
    }
    out
}

/// Bucket width in seconds: the smallest gap between bucket starts (0 with a single bucket).
fn bucket_width(rows: &[read::BucketRow]) -> f64 {
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
fn time_axis(rows: &[read::BucketRow]) -> (Axis, f64, &'static str, f64) {
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
            format!(
                "warm-up, not in metrics ({} {unit})",
                chart::short_number(w / div)
            ),
        ));
    }
}

fn online_figure(ctx: &FigureSet, rows: &[read::BucketRow]) -> Figure {
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
            fig.legend
                .push(LegendEntry::line(style, strategy_label(ctx, name)));
        }
    }
    warmup_band(ctx, &mut fig, div, unit);
    fig
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

fn success_figure(ctx: &FigureSet, rows: &[read::BucketRow]) -> Figure {
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
        fig.legend.push(LegendEntry::line(
            style,
            strategy_label(ctx, &ctx.strategies[*s]),
        ));
    }
    let window = if k > 1 {
        format!(
            "{} {unit} windows ({k} buckets)",
            chart::short_number(k as f64 * w / div)
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

// ---------------------------------------------------------------------------------------------------------
// Sweeps

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
    let axis = if min > 0.0 && max / min > SWEEP_LOG_RATIO {
        Axis::log(&format!("{key} (log scale)"), min, max)
    } else {
        Axis::linear(key, min, max, 6)
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
fn distinct(values: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

fn sweep_figure(ctx: &FigureSet, summary: &Summary, k: usize, m: &Metric) -> Figure {
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
            strategy_label(ctx, s),
        ));
    }
    if styled {
        legend.push(LegendEntry::heading("other swept keys"));
        for (j, c) in combos.iter().enumerate() {
            let dark = plotters::style::RGBColor(60, 60, 60);
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
    let ka = key_axis(key, &values, chart::plot_width(&legend));
    let estimates: Vec<MeanCi> = rows.iter().map(|r| Summary::get(r, m.name)).collect();
    let (vals, lows, highs) = spans(m, &estimates);
    let y = metric_axis(m, &vals, &lows, &highs);
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
                            let (lo, hi) = bar(m, mean, c);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_captions() {
        assert_eq!(
            file_part("strategy.flood-ttl7.ttl"),
            "strategy_flood-ttl7_ttl"
        );
        assert_eq!(describe("lorenz").0, 0);
        let (section, order, caption) = describe("sweep_mean_hops_vs_topology_mean_degree");
        assert_eq!((section, order.as_str()), (3, "topology_mean_degree 02"));
        assert_eq!(
            caption,
            "Hops to the first hit against topology_mean_degree"
        );
        assert_eq!(replications_phrase([3, 3]), "3 replications");
        assert_eq!(
            interval_phrase(vec![1], false),
            "1 replication: no confidence interval"
        );
    }
}
