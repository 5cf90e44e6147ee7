//! Plots of a results folder, drawn from its CSV files alone, so `gnutsim plot DIR` redraws exactly what a run
//! draws. Every figure is written as `.svg` and `.png` (the SVG rasterised: [`super::chart::save`]).
//!
//! Per-point figures are drawn for every sweep point into `plots/point-K/` (K the point index; without a sweep,
//! into `plots/` itself), with the same file names:
//! - `lorenz`: load Lorenz curves, the mean curve over replications, one per strategy (client-server dashed),
//!   with the diagonal of equal load; Gini (mean ± 95% CI, summary.csv) in the legend ([`lorenz`]);
//! - `<metric>` for the six headline metrics ([`METRICS`]): a dot per strategy with its 95% error bar and
//!   value; client-server as squares ([`bars`]);
//! - `load_by_tier` (two-tier overlays): mean load of a leaf and of an ultrapeer per strategy ([`tiers`]);
//! - `timeseries_online`: online peers over time, not drawn when it never changes (no churn): a flat line at
//!   the number of peers carries no information, and the report says so instead ([`time`]);
//! - `timeseries_success`: successes / queries issued over time, pooled over windows ([`time`]).
//!
//! Across the sweep, in `plots/`: `sweep_<metric>_vs_<key>`, each headline metric against each swept key that
//! takes two values or more ([`sweep`]).
//!
//! House style: units once, in the axis label; a log axis when values span more than a factor of 10; one tick
//! format per axis ([`super::ticks`]); legends beside or under the plot, never over data ([`super::legend`]).

mod bars;
mod coverage;
mod lorenz;
mod metric;
mod sweep;
mod tiers;
mod time;

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use anyhow::{Context, bail};

pub use metric::{BROADCAST_METRICS, METRICS, Metric, mean_ci, metrics_for};

use super::chart::{self, Dash, Figure, Marker, Note, Style};
use super::read::{self, Summary, SummaryRow};
use crate::scenario::units::unit_of;

/// What every figure of a folder shares: strategy order, colours and kinds, and the point being drawn.
#[derive(Clone)]
struct FigureSet {
    strategies: Vec<String>,
    kinds: HashMap<String, String>,
    /// "key = value" of every swept key at the point drawn (empty without a sweep).
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
        let color = chart::color(i);
        if self.is_server(strategy) {
            return Style::line(color, Dash::Dashed).with_marker(Marker::Square);
        }
        let (dash, marker) = match i / chart::PALETTE_LEN {
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

    fn label(&self, strategy: &str) -> String {
        if self.is_server(strategy) {
            format!("{strategy} (client-server)")
        } else {
            strategy.to_string()
        }
    }

    /// Adds a subtitle line naming the point shown, when the folder has a sweep.
    fn point_line(&self, fig: &mut Figure) {
        if !self.point_desc.is_empty() {
            fig.subtitle.push(format!("At {}", self.point_desc));
        }
    }
}

/// The folder of point `point`'s figures, relative to `plots/`: `point-K/`, or `plots/` itself without a sweep.
pub fn point_folder(summary: &Summary, point: u64) -> String {
    if summary.keys.is_empty() {
        String::new()
    } else {
        format!("point-{point}/")
    }
}

/// Draws every plot of the results folder `dir` into `dir/plots/`, replacing what was there.
pub fn draw_all(dir: &Path) -> anyhow::Result<()> {
    let summary = read::summary(dir)?;
    let kinds = read::strategy_kinds(dir)?;
    let scenario = read::scenario(dir)?;
    let points = summary.points();
    if points.is_empty() {
        bail!("summary.csv in {} has no rows", dir.display());
    }
    let lorenz = read::lorenz(dir)?;
    let buckets = read::timeseries(dir)?;
    let coverage = read::coverage(dir)?;
    let tier_rows = read::tier_loads(dir)?;
    let mut ctx = FigureSet {
        strategies: summary.strategies(),
        kinds,
        point_desc: String::new(),
        warmup: scenario.warmup.filter(|w| *w > 0.0),
    };
    for s in lorenz
        .iter()
        .map(|r| &r.strategy)
        .chain(buckets.iter().map(|r| &r.strategy))
        .chain(tier_rows.iter().map(|r| &r.strategy))
    {
        if !ctx.strategies.contains(s) {
            ctx.strategies.push(s.clone());
        }
    }

    let broadcasts = ctx
        .strategies
        .iter()
        .filter(|s| {
            ctx.kinds.get(*s).map(String::as_str) == Some(crate::results::run::BROADCAST_KIND)
        })
        .count();
    let metrics = metrics_for(broadcasts, ctx.strategies.len());
    let mut figures = Vec::new();
    for &p in &points {
        let rows = summary.at_point(p);
        let mut at = ctx.clone();
        if !summary.keys.is_empty() {
            let keys = rows
                .first()
                .map(|r| describe_keys(&summary.keys, &r.keys))
                .unwrap_or_default();
            at.point_desc = format!("point {p}: {keys}");
        }
        let folder = point_folder(&summary, p);
        let at_point = |r: &&read::LorenzRow| r.point == p;
        let lorenz_rows: Vec<&read::LorenzRow> = lorenz.iter().filter(at_point).collect();
        let bucket_rows: Vec<&read::BucketRow> = buckets.iter().filter(|r| r.point == p).collect();
        figures.push((
            format!("{folder}lorenz"),
            lorenz::figure(&at, &lorenz_rows, &rows),
        ));
        for m in metrics.iter().filter(|m| m.per_point) {
            figures.push((format!("{folder}{}", m.name), bars::figure(&at, m, &rows)));
        }
        let coverage_rows: Vec<&read::CoverageRow> =
            coverage.iter().filter(|r| r.point == p).collect();
        if let Some(fig) = coverage::figure(&at, &coverage_rows) {
            figures.push((format!("{folder}coverage"), fig));
        }
        let tiers: Vec<&read::TierRow> = tier_rows.iter().filter(|r| r.point == p).collect();
        if let Some(fig) = tiers::figure(&at, &tiers) {
            figures.push((format!("{folder}load_by_tier"), fig));
        }
        if let Some(fig) = time::online_figure(&at, &bucket_rows) {
            figures.push((format!("{folder}timeseries_online"), fig));
        }
        figures.push((
            format!("{folder}timeseries_success"),
            time::success_figure(&at, &bucket_rows),
        ));
    }
    for (k, key) in summary.keys.iter().enumerate() {
        // A key swept over one value varies nothing: no plot against it.
        if sweep::distinct(summary.rows.iter().map(|r| r.keys[k].clone())).len() < 2 {
            continue;
        }
        for m in &metrics {
            let stem = format!("sweep_{}_vs_{}", m.name, file_part(key));
            figures.push((stem, sweep::figure(&ctx, &summary, k, m)));
        }
    }

    let out = dir.join("plots");
    clear_plots(&out)?;
    chart::save_all(&out, &figures)
}

/// Creates `plots/` or empties it of earlier PNG and SVG files and `point-K/` folders (a redraw must not leave
/// stale plots behind).
fn clear_plots(out: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for entry in fs::read_dir(out).with_context(|| format!("cannot list {}", out.display()))? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_file() && (ext == "png" || ext == "svg") {
            fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
        } else if path.is_dir() && name.starts_with("point-") {
            fs::remove_dir_all(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
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
    match stem {
        "lorenz" => return (0, "0".into(), "Load Lorenz curves".into()),
        "load_by_tier" => return (0, "1".into(), "Load of leaves and ultrapeers".into()),
        "timeseries_online" => return (2, "0".into(), "Online peers over time".into()),
        "timeseries_success" => return (2, "1".into(), "Success rate over time".into()),
        "coverage" => return (2, "2".into(), "Broadcast coverage over time".into()),
        _ => {}
    }
    let all: Vec<&Metric> = METRICS.iter().chain(BROADCAST_METRICS.iter()).collect();
    if let Some(i) = all.iter().position(|m| m.name == stem) {
        let caption = format!("{} per strategy", all[i].title);
        return (1, format!("{i:02}"), caption);
    }
    if let Some(rest) = stem.strip_prefix("sweep_") {
        for (i, m) in all.iter().enumerate() {
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

/// "key = value, key = value", each value with its key's unit when it has one (`churn.session.mean = 30 s`). A
/// share's unit names the axis but not a value (`adversaries.droppers = 0.1`, not `= 0.1 share of peers`).
pub fn describe_keys(keys: &[String], values: &[String]) -> String {
    keys.iter()
        .zip(values)
        .map(|(k, v)| match unit_of(k) {
            Some(u) if !u.starts_with("share") => format!("{k} = {v} {u}"),
            _ => format!("{k} = {v}"),
        })
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

/// Says on the plot that `file` had nothing to draw.
fn no_rows(fig: &mut Figure, file: &str) {
    let at = (
        fig.x.lo + fig.x.span() * 0.05,
        fig.y.lo + fig.y.span() * 0.5,
    );
    fig.notes
        .push(Note::new(at, format!("{file} has no rows for this point")));
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
