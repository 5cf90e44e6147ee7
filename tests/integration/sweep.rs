//! Sweeps, shards and merging, through the binary.

use std::fs;
use std::path::Path;

use crate::common::{gnutsim_ok, out_dir};

const SMALL: [&str; 6] = [
    "--set",
    "duration=60.0",
    "--set",
    "warmup=10.0",
    "--set",
    "network.peers=800",
];

#[test]
fn two_keys_two_values_three_replications_two_strategies() {
    // 2 x 2 points x 2 strategies = 8 summary rows (3 replications each), the swept keys as columns.
    let dir = out_dir("sweep-2x2");
    let d = dir.to_str().expect("utf-8");
    let mut args = vec!["run", "scenarios/ttl-sweep.toml", "-o", d, "--quiet"];
    args.extend(SMALL);
    args.extend([
        "--set",
        "sweep={ \"strategy.flood.ttl\" = [2, 3], \"topology.mean_degree\" = [3.0, 5.0] }",
    ]);
    gnutsim_ok(&args);
    let summary = fs::read_to_string(dir.join("summary.csv")).expect("summary.csv");
    let mut lines = summary.lines();
    let header = lines.next().expect("header");
    assert!(
        header.starts_with("point,strategy.flood.ttl,topology.mean_degree,strategy,replications,")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 8);
    assert!(rows[0].starts_with("0,2,3,flood,3,"));
    assert!(rows[7].starts_with("3,3,5,ring,3,"));
    let runs = fs::read_to_string(dir.join("runs.csv")).expect("runs.csv");
    assert_eq!(runs.lines().count(), 1 + 4 * 3 * 2);
    // The resolved scenario keeps the sweep, and runs again as is.
    let resolved = fs::read_to_string(dir.join("scenario.toml")).expect("scenario.toml");
    assert!(resolved.contains(
        "[sweep]\n\"strategy.flood.ttl\" = [2, 3]\n\"topology.mean_degree\" = [3.0, 5.0]\n"
    ));
}

#[test]
fn points_of_a_ttl_sweep_share_their_worlds() {
    // The ring strategy does not depend on the swept TTL: with common random numbers, its rows are the same at
    // every point, replication by replication.
    let dir = out_dir("sweep-crn");
    let d = dir.to_str().expect("utf-8");
    let mut args = vec!["run", "scenarios/ttl-sweep.toml", "-o", d, "--quiet"];
    args.extend(SMALL);
    gnutsim_ok(&args);
    let runs = fs::read_to_string(dir.join("runs.csv")).expect("runs.csv");
    let ring: Vec<Vec<&str>> = runs
        .lines()
        .filter(|l| l.contains(",ring,"))
        .map(|l| l.split(',').skip(2).collect())
        .collect();
    assert_eq!(ring.len(), 7 * 3);
    for point in ring.chunks(3) {
        assert_eq!(point, &ring[..3]);
    }
}

#[test]
fn merged_shards_equal_the_whole_run() {
    let whole = out_dir("shard-whole");
    let run = |dir: &Path, extra: &[&str]| {
        let d = dir.to_str().expect("utf-8");
        let mut args = vec![
            "run",
            "scenarios/ttl-sweep.toml",
            "-o",
            d,
            "--quiet",
            "--set",
            "strategy.flood.ttl=3",
        ];
        args.extend(SMALL);
        args.extend([
            "--set",
            "sweep={ \"topology.mean_degree\" = [3.0, 4.0, 6.0] }",
        ]);
        args.extend_from_slice(extra);
        gnutsim_ok(&args);
    };
    run(&whole, &[]);
    let shards: Vec<_> = (1..=3)
        .map(|k| out_dir(&format!("shard-{k}-of-3")))
        .collect();
    for (k, dir) in shards.iter().enumerate() {
        run(dir, &["--shard", &format!("{}/3", k + 1)]);
    }
    // Each shard holds a disjoint part.
    let count = |dir: &Path| {
        fs::read_to_string(dir.join("runs.csv"))
            .expect("runs.csv")
            .lines()
            .count()
            - 1
    };
    assert_eq!(
        shards.iter().map(|d| count(d)).sum::<usize>(),
        count(&whole)
    );
    let merged = out_dir("shard-merged");
    let mut args = vec!["merge"];
    let names: Vec<String> = shards
        .iter()
        .map(|d| d.to_string_lossy().into_owned())
        .collect();
    args.extend(names.iter().map(String::as_str));
    let m = merged.to_string_lossy().into_owned();
    args.extend(["-o", &m]);
    gnutsim_ok(&args);
    for file in [
        "runs.csv",
        "summary.csv",
        "timeseries.csv",
        "lorenz.csv",
        "content.csv",
        "scenario.toml",
    ] {
        let a = fs::read(whole.join(file)).expect("whole");
        let b = fs::read(merged.join(file)).expect("merged");
        assert!(a == b, "{file} differs after merging");
    }
}
