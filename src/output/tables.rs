//! The CSV files of a results folder, as bytes. Fixed column order; rows in run order. Pure functions of the
//! results, so they can be compared byte for byte.

use crate::format::{float, opt};
use crate::metrics::stats;
use crate::results::run::RunResult;
use crate::scenario::sweep::Plan;

type Rows = Vec<Vec<String>>;

fn to_csv(header: Vec<String>, rows: Rows) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail; any error would be a bug in the csv crate.
    let _ = w.write_record(&header);
    for r in rows {
        let _ = w.write_record(&r);
    }
    w.into_inner().unwrap_or_default()
}

fn strs(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

/// runs.csv columns after `point`, the swept keys, `replication`.
pub const RUN_COLUMNS: &[&str] = &[
    "seed",
    "strategy",
    "kind",
    "peers",
    "queries",
    "successes",
    "success_rate",
    "mean_hops",
    "mean_latency_s",
    "p95_latency_s",
    "messages",
    "messages_per_query",
    "query_messages",
    "hit_messages",
    "duplicate_messages",
    "peers_reached_per_query",
    "load_mean",
    "load_max",
    "load_p99",
    "load_gini",
    "online_mean",
    "events",
    "fail_no_copy",
    "fail_not_found",
    "fail_lost",
    "fail_dropped",
    "fail_timeout",
    "fail_fooled",
    "dropped_messages",
    "lost_messages",
    "repair_messages",
    "join_messages",
    "copies_per_object",
    "server_utilisation",
    "load_mean_ultrapeer",
    "load_max_ultrapeer",
    "load_mean_leaf",
    "load_max_leaf",
    "largest_component_share",
    "fake_hits_per_query",
    "fooled_rate",
    "swallowed_messages",
    "bytes",
    "bytes_per_query",
    "upload_kbps_mean",
    "upload_kbps_max",
    "coverage",
    "t50_s",
    "t90_s",
    "t99_s",
];

/// Values of one run, in `RUN_COLUMNS` order.
fn run_values(r: &RunResult) -> Vec<String> {
    let m = &r.output.metrics;
    vec![
        r.seed.to_string(),
        r.strategy.clone(),
        r.kind.to_string(),
        r.peers.to_string(),
        m.queries.to_string(),
        m.successes.to_string(),
        opt(m.success_rate()),
        opt(m.mean_hops),
        opt(m.mean_latency_s),
        opt(m.p95_latency_s),
        m.messages.to_string(),
        opt(m.messages_per_query()),
        m.query_messages.to_string(),
        m.hit_messages.to_string(),
        m.duplicate_messages.to_string(),
        opt(m.peers_reached_per_query),
        float(m.load_mean),
        float(m.load_max),
        float(m.load_p99),
        float(m.load_gini),
        float(m.online_mean),
        m.events.to_string(),
        m.fail_no_copy.to_string(),
        m.fail_not_found.to_string(),
        m.fail_lost.to_string(),
        m.fail_dropped.to_string(),
        m.fail_timeout.to_string(),
        m.fail_fooled.to_string(),
        m.dropped_messages.to_string(),
        m.lost_messages.to_string(),
        m.repair_messages.to_string(),
        m.join_messages.to_string(),
        float(m.copies_per_object),
        opt(m.server_utilisation),
        opt(m.load_mean_ultrapeer),
        opt(m.load_max_ultrapeer),
        opt(m.load_mean_leaf),
        opt(m.load_max_leaf),
        float(r.largest_component_share),
        opt(m.fake_hits_per_query()),
        opt(m.fooled_rate()),
        m.swallowed_messages.to_string(),
        m.bytes.to_string(),
        opt(m.bytes_per_query()),
        float(m.upload_kbps_mean),
        opt(m.upload_kbps_max),
        opt(m.coverage),
        opt(m.t50_s),
        opt(m.t90_s),
        opt(m.t99_s),
    ]
}

fn key_header(plan: &Plan, before: &[&str], after: &[&str]) -> Vec<String> {
    let mut h = strs(before);
    h.extend(plan.swept_keys.iter().cloned());
    h.extend(strs(after));
    h
}

fn key_values(r: &RunResult) -> Vec<String> {
    let mut v = vec![r.point.to_string()];
    v.extend(r.values.iter().cloned());
    v
}

/// A CSV table in memory: the form in which runs.csv is both written and read back (by `merge`), so summaries
/// are always computed from exactly the numbers runs.csv shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn to_csv(&self) -> Vec<u8> {
        to_csv(self.header.clone(), self.rows.clone())
    }

    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

pub fn runs_table(plan: &Plan, results: &[RunResult]) -> Table {
    let mut header = key_header(plan, &["point"], &["replication"]);
    header.extend(strs(RUN_COLUMNS));
    let rows = results
        .iter()
        .map(|r| {
            let mut row = key_values(r);
            row.push(r.replication.to_string());
            row.extend(run_values(r));
            row
        })
        .collect();
    Table { header, rows }
}

/// Metrics of runs.csv summarised over replications.
pub const SUMMARY_METRICS: &[&str] = &[
    "success_rate",
    "messages_per_query",
    "mean_hops",
    "mean_latency_s",
    "load_max",
    "load_gini",
    "p95_latency_s",
    "peers_reached_per_query",
    "duplicate_messages",
    "online_mean",
    "coverage",
    "t50_s",
    "t90_s",
    "t99_s",
];

/// summary.csv from runs.csv: per (point, strategy), in order of first appearance, the mean and 95% CI
/// half-width of each metric over the replications where it is defined (mean_hops needs a success).
pub fn summary_table(runs: &Table) -> Table {
    let (Some(point_col), Some(rep_col), Some(strategy_col)) = (
        runs.column("point"),
        runs.column("replication"),
        runs.column("strategy"),
    ) else {
        return Table::default();
    };
    // The swept keys sit between `point` and `replication`; a runs.csv edited into another order has none.
    if rep_col <= point_col {
        return Table::default();
    }
    let keys = &runs.header[point_col + 1..rep_col];
    let mut header = vec!["point".to_string()];
    header.extend(keys.iter().cloned());
    header.extend(strs(&["strategy", "replications"]));
    for m in SUMMARY_METRICS {
        header.push(format!("{m}_mean"));
        header.push(format!("{m}_ci95"));
    }
    let metric_cols: Vec<Option<usize>> = SUMMARY_METRICS.iter().map(|m| runs.column(m)).collect();
    // Groups in order of first appearance.
    type Group<'t> = ((String, String), Vec<&'t Vec<String>>);
    let mut groups: Vec<Group> = Vec::new();
    for row in &runs.rows {
        let key = (row[point_col].clone(), row[strategy_col].clone());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => g.push(row),
            None => groups.push((key, vec![row])),
        }
    }
    let rows = groups
        .iter()
        .map(|((point, strategy), group)| {
            let mut row = vec![point.clone()];
            row.extend(group[0][point_col + 1..rep_col].iter().cloned());
            row.push(strategy.clone());
            row.push(group.len().to_string());
            for col in &metric_cols {
                let xs: Vec<f64> = group
                    .iter()
                    .filter_map(|r| col.and_then(|c| r[c].parse::<f64>().ok()))
                    .collect();
                row.push(opt(stats::mean(&xs)));
                row.push(opt(stats::ci95_half_width(&xs)));
            }
            row
        })
        .collect();
    Table { header, rows }
}

pub fn timeseries_csv(plan: &Plan, results: &[RunResult]) -> Vec<u8> {
    let header = key_header(
        plan,
        &["point"],
        &[
            "replication",
            "strategy",
            "t_s",
            "online_peers",
            "queries",
            "successes",
            "messages",
            "load_max",
        ],
    );
    let mut rows = Vec::new();
    for r in results {
        for b in &r.output.timeseries {
            let mut row = key_values(r);
            row.extend([
                r.replication.to_string(),
                r.strategy.clone(),
                float(b.t_s),
                float(b.online_peers),
                b.queries.to_string(),
                b.successes.to_string(),
                b.messages.to_string(),
                b.load_max.to_string(),
            ]);
            rows.push(row);
        }
    }
    to_csv(header, rows)
}

pub fn lorenz_csv(plan: &Plan, results: &[RunResult]) -> Vec<u8> {
    let header = key_header(
        plan,
        &["point"],
        &["replication", "strategy", "peer_share", "load_share"],
    );
    let mut rows = Vec::new();
    for r in results {
        for &(p, l) in &r.output.lorenz {
            let mut row = key_values(r);
            row.extend([
                r.replication.to_string(),
                r.strategy.clone(),
                format!("{p:.2}"),
                float(l),
            ]);
            rows.push(row);
        }
    }
    to_csv(header, rows)
}

pub fn timing_csv(results: &[RunResult]) -> Vec<u8> {
    let header = strs(&[
        "point",
        "replication",
        "strategy",
        "events",
        "wall_s",
        "events_per_s",
        "peak_rss_mb",
    ]);
    let rows = results
        .iter()
        .map(|r| {
            let events = r.output.metrics.events;
            let wall = r.output.wall_s;
            vec![
                r.point.to_string(),
                r.replication.to_string(),
                r.strategy.clone(),
                events.to_string(),
                float(wall),
                if wall > 0.0 {
                    format!("{:.0}", events as f64 / wall)
                } else {
                    String::new()
                },
                format!("{:.1}", r.peak_rss_mb),
            ]
        })
        .collect();
    to_csv(header, rows)
}

pub fn queries_csv(plan: &Plan, results: &[RunResult]) -> Vec<u8> {
    let header = key_header(
        plan,
        &["point"],
        &[
            "replication",
            "strategy",
            "query",
            "t_s",
            "source",
            "object",
            "success",
            "hops",
            "latency_s",
            "messages",
            "outcome",
            "peers_reached",
            "fooled",
        ],
    );
    let mut rows = Vec::new();
    for r in results {
        // A broadcast asks for no object.
        let broadcast = r.kind == crate::results::run::BROADCAST_KIND;
        for q in &r.output.queries {
            let mut row = key_values(r);
            row.extend([
                r.replication.to_string(),
                r.strategy.clone(),
                q.index.to_string(),
                float(q.time_us as f64 / 1e6),
                q.source.to_string(),
                if broadcast {
                    String::new()
                } else {
                    q.object.to_string()
                },
                u8::from(q.outcome == crate::metrics::Outcome::Success).to_string(),
                q.hops.map(|h| h.to_string()).unwrap_or_default(),
                opt(q.latency_us.map(|l| l as f64 / 1e6)),
                q.messages.to_string(),
                q.outcome.name().to_string(),
                q.reached.to_string(),
                u8::from(q.fooled).to_string(),
            ]);
            rows.push(row);
        }
    }
    to_csv(header, rows)
}

/// coverage.csv: per broadcast run, its mean coverage curve (share of the peers online at issue that have the
/// payload, against seconds since issue). `None` when no run is a broadcast's.
pub fn coverage_csv(plan: &Plan, results: &[RunResult]) -> Option<Vec<u8>> {
    if results.iter().all(|r| r.output.coverage.is_empty()) {
        return None;
    }
    let header = key_header(
        plan,
        &["point"],
        &["replication", "strategy", "t_s", "coverage"],
    );
    let mut rows = Vec::new();
    for r in results {
        for &(t, c) in &r.output.coverage {
            let mut row = key_values(r);
            row.extend([
                r.replication.to_string(),
                r.strategy.clone(),
                float(t),
                float(c),
            ]);
            rows.push(row);
        }
    }
    Some(to_csv(header, rows))
}

/// content.csv: per run and object, its popularity (share of queries) and its copies at the start and end.
pub fn content_csv(plan: &Plan, results: &[RunResult]) -> Vec<u8> {
    let header = key_header(
        plan,
        &["point"],
        &[
            "replication",
            "strategy",
            "object",
            "popularity",
            "copies_start",
            "copies_end",
        ],
    );
    let mut rows = Vec::new();
    for r in results {
        let out = &r.output;
        for (o, &end) in out.copies_end.iter().enumerate() {
            let mut row = key_values(r);
            row.extend([
                r.replication.to_string(),
                r.strategy.clone(),
                o.to_string(),
                float(out.popularity[o]),
                out.copies_start[o].to_string(),
                end.to_string(),
            ]);
            rows.push(row);
        }
    }
    to_csv(header, rows)
}
