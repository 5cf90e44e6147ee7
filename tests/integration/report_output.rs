//! Report-grade output through the binary: every sweep point drawn with the swept keys in every per-point CSV,
//! and summary.csv recomputed from runs.csv by `gnutsim plot`.

use std::fs;
use std::path::Path;

use crate::common::{gnutsim, gnutsim_ok, out_dir};

const SMALL: [&str; 6] = [
    "--set",
    "duration=60.0",
    "--set",
    "warmup=10.0",
    "--set",
    "network.peers=600",
];

/// Rows of a CSV file as cells, the header first.
fn csv(path: &Path) -> Vec<Vec<String>> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

#[test]
fn every_sweep_point_has_its_plots_and_its_key_columns() {
    let dir = out_dir("report-sweep");
    let d = dir.to_str().expect("utf-8");
    let mut args = vec!["run", "scenarios/ttl-sweep.toml", "-o", d, "--quiet"];
    args.extend(SMALL);
    args.extend([
        "--set",
        "replications=2",
        "--set",
        "output.queries=true",
        "--set",
        "sweep={ \"strategy.flood.ttl\" = [2, 3, 4] }",
    ]);
    gnutsim_ok(&args);
    let runs = csv(&dir.join("runs.csv"));
    assert_eq!(
        &runs[0][..3],
        ["point", "strategy.flood.ttl", "replication"]
    );
    for file in ["lorenz.csv", "timeseries.csv", "content.csv", "queries.csv"] {
        let rows = csv(&dir.join(file));
        assert_eq!(
            &rows[0][..3],
            ["point", "strategy.flood.ttl", "replication"],
            "{file}: the swept key must follow `point`"
        );
        // Every row's key value is its point's, as runs.csv says.
        for row in &rows[1..] {
            let point: usize = row[0].parse().expect("point");
            assert_eq!(row[1], ["2", "3", "4"][point], "{file}: {row:?}");
        }
        let points: std::collections::BTreeSet<&str> =
            rows[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(points.len(), 3, "{file} lacks a point");
    }
    let stems = [
        "lorenz",
        "success_rate",
        "messages_per_query",
        "mean_hops",
        "mean_latency_s",
        "load_max",
        "load_gini",
        "timeseries_success",
    ];
    for p in 0..3 {
        let folder = dir.join(format!("plots/point-{p}"));
        for stem in stems {
            for ext in ["png", "svg"] {
                let f = folder.join(format!("{stem}.{ext}"));
                assert!(f.is_file(), "missing {}", f.display());
            }
        }
        // No churn here: the online-peers series is flat, so it is not drawn.
        assert!(!folder.join("timeseries_online.png").exists());
        let svg = fs::read_to_string(folder.join("lorenz.svg")).expect("svg");
        assert!(svg.contains(&format!("At point {p}: strategy.flood.ttl = {}", p + 2)));
    }
    assert!(
        dir.join("plots/sweep_messages_per_query_vs_strategy_flood_ttl.png")
            .is_file()
    );
    let html = fs::read_to_string(dir.join("report.html")).expect("report.html");
    for p in 0..3 {
        assert!(html.contains(&format!("<details id=\"point-{p}\"")));
        assert!(html.contains(&format!("<figure id=\"point-{p}-lorenz\">")));
    }
    assert!(html.contains("Online peers over time: not drawn"));
}

#[test]
fn plot_recomputes_the_summary_from_an_edited_runs_csv() {
    let dir = out_dir("report-edit");
    let d = dir.to_str().expect("utf-8");
    let mut args = vec!["run", "scenarios/quickstart.toml", "-o", d, "--quiet"];
    args.extend(SMALL);
    gnutsim_ok(&args);
    let before = csv(&dir.join("summary.csv"));
    let col = |rows: &[Vec<String>], name: &str| {
        rows[0]
            .iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    assert_eq!(before[1][col(&before, "replications")], "3");

    // Drop replication 2 (a "bad" one) from runs.csv, and a row of summary.csv for good measure.
    let runs = csv(&dir.join("runs.csv"));
    let rep = col(&runs, "replication");
    let kept: Vec<&Vec<String>> = runs.iter().filter(|r| r[rep] != "2").collect();
    let text: String = kept.iter().map(|r| r.join(",") + "\n").collect();
    fs::write(dir.join("runs.csv"), text).expect("write runs.csv");
    let cut: String = before[..before.len() - 1]
        .iter()
        .map(|r| r.join(",") + "\n")
        .collect();
    fs::write(dir.join("summary.csv"), cut).expect("write summary.csv");

    gnutsim_ok(&["plot", d]);
    let after = csv(&dir.join("summary.csv"));
    assert_eq!(after.len(), before.len(), "the deleted summary row is back");
    let (strategy, rate) = (col(&runs, "strategy"), col(&runs, "success_rate"));
    for row in &after[1..] {
        assert_eq!(row[col(&after, "replications")], "2");
        let name = &row[col(&after, "strategy")];
        let rates: Vec<f64> = kept[1..]
            .iter()
            .filter(|r| &r[strategy] == name)
            .map(|r| r[rate].parse().expect("number"))
            .collect();
        let want = rates.iter().sum::<f64>() / rates.len() as f64;
        let got: f64 = row[col(&after, "success_rate_mean")]
            .parse()
            .expect("number");
        assert!((got - want).abs() < 1e-6, "{name}: {got} != {want}");
    }
    let html = fs::read_to_string(dir.join("report.html")).expect("report.html");
    assert!(html.contains("2 replication(s)"));
    // Edited by hand, the folder no longer matches its timing.csv and lorenz.csv: not left for CI's SPEC check
    // of the test folders.
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn plot_of_a_runs_csv_without_its_key_columns_is_an_error_not_a_panic() {
    let dir = out_dir("report-bad-runs");
    let d = dir.to_str().expect("utf-8");
    let mut args = vec!["run", "scenarios/quickstart.toml", "-o", d, "--quiet"];
    args.extend(SMALL);
    args.extend(["--set", "replications=1"]);
    gnutsim_ok(&args);
    // `replication` moved before `point`: the swept keys have no place left.
    let runs = csv(&dir.join("runs.csv"));
    let text: String = runs
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.swap(0, 1);
            r.join(",") + "\n"
        })
        .collect();
    fs::write(dir.join("runs.csv"), text).expect("write runs.csv");
    let o = gnutsim(&["plot", d]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("runs.csv needs the columns"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let _ = fs::remove_dir_all(&dir);
}
