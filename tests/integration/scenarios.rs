//! The shipped scenarios: every one is valid, and the ones that make a claim make it.

use crate::common::{gnutsim_ok, out_dir};

#[test]
fn every_shipped_scenario_passes_check_and_describes_itself() {
    let mut count = 0;
    for dir in ["scenarios", "scenarios/bench"] {
        for entry in std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
            .expect("listable")
        {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "toml") {
                let out = gnutsim_ok(&["check", path.to_str().expect("utf-8")]);
                assert!(out.contains("# work: "));
                let s = gnutsim::scenario::load(&path, &[]).expect("valid");
                assert!(
                    s.description.len() > 80,
                    "{}: say what it teaches",
                    path.display()
                );
                count += 1;
            }
        }
    }
    assert!(count >= 8, "{count} scenarios");
}

/// The summary rows of a results folder, as (strategy, column -> value).
fn summary(dir: &std::path::Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(dir.join("summary.csv")).expect("summary.csv");
    let header: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.expect("row").iter().map(str::to_string))
                .collect()
        })
        .collect()
}

#[test]
fn flood_vs_walk_reproduces_lv_et_al() {
    // On the power-law overlay with 1% replication, 32 walkers checking every 4 steps reach success >= 0.9 with
    // at least 10 times fewer messages per query than a TTL-7 flood (one replication, a shorter run).
    let dir = out_dir("flood-vs-walk");
    let d = dir.to_str().expect("utf-8");
    gnutsim_ok(&[
        "run",
        "scenarios/flood-vs-walk.toml",
        "-o",
        d,
        "--quiet",
        "--set",
        "replications=1",
        "--set",
        "duration=300.0",
    ]);
    let rows = summary(&dir);
    let get = |name: &str, col: &str| -> f64 {
        rows.iter()
            .find(|r| r["strategy"] == name)
            .expect("strategy row")[col]
            .parse()
            .expect("number")
    };
    assert!(get("walk-32x1024", "success_rate_mean") >= 0.9);
    assert!(get("flood-ttl7", "success_rate_mean") >= 0.9);
    let ratio = get("flood-ttl7", "messages_per_query_mean")
        / get("walk-32x1024", "messages_per_query_mean");
    assert!(ratio >= 10.0, "flooding costs only {ratio:.1}x more");
}

#[test]
fn the_spec_example_scenario_is_valid() {
    // SPEC.md's example (copied to tests/fixtures/): a power-law overlay with min_degree, swept over mean_degree.
    let out = gnutsim_ok(&["check", "tests/fixtures/spec-example.toml"]);
    assert!(
        out.contains("# work: 4 points x 5 replications x 4 strategies = 80 runs"),
        "{out}"
    );
}
