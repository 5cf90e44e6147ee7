//! Sweeps, shards and merging, through the binary.

use std::fs;
use std::path::Path;

use crate::common::{gnutsim, gnutsim_ok, out_dir};

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

/// A small quickstart (3 replications, one point) into `dir`, with extra arguments; returns the process output.
fn small_quickstart(dir: &Path, extra: &[&str]) -> std::process::Output {
    let d = dir.to_str().expect("utf-8");
    let mut args = vec!["run", "scenarios/quickstart.toml", "-o", d, "--quiet"];
    args.extend(SMALL);
    args.extend_from_slice(extra);
    gnutsim(&args)
}

fn manifest(dir: &Path) -> serde_json::Value {
    let text = fs::read_to_string(dir.join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).expect("manifest.json is JSON")
}

fn merge_args<'a>(dirs: &'a [String], out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["merge"];
    args.extend(dirs.iter().map(String::as_str));
    args.extend(["-o", out]);
    args.extend_from_slice(extra);
    args
}

#[test]
fn an_empty_shard_is_a_folder_of_headers_and_its_manifest() {
    // 3 (point, replication) slices: shard 5 of 5 gets none.
    let dir = out_dir("shard-empty");
    let o = small_quickstart(&dir, &["--shard", "5/5"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for file in ["runs.csv", "summary.csv", "timeseries.csv", "lorenz.csv"] {
        let text = fs::read_to_string(dir.join(file)).expect(file);
        assert_eq!(text.lines().count(), 1, "{file} should be its header only");
        assert!(text.starts_with("point,"), "{file}: {text}");
    }
    assert!(dir.join("scenario.toml").is_file());
    let report = fs::read_to_string(dir.join("report.html")).expect("report.html");
    assert!(report.contains("empty shard"));
    let m = manifest(&dir);
    assert_eq!(m["shard"], serde_json::json!({"k": 5, "n": 5}));
    // ../shared/tools/spec-check.py (run by .ci/run over the test folders) still wants rows in every CSV file,
    // which an empty shard rightly lacks: do not leave this folder for it.
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn the_manifest_says_where_a_folder_comes_from() {
    let dir = out_dir("manifest-fields");
    let o = small_quickstart(&dir, &["--threads", "2"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = manifest(&dir);
    let keys: Vec<&str> = m
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "gnutsim_version",
        "git_revision",
        "scenario_sha256",
        "command",
        "seed",
        "shard",
        "threads",
        "started_utc",
        "finished_utc",
    ] {
        assert!(keys.contains(&key), "manifest.json has no {key}: {m}");
    }
    assert_eq!(m["gnutsim_version"], env!("CARGO_PKG_VERSION"));
    assert!(
        m["git_revision"].is_null() || m["git_revision"].as_str().is_some_and(|s| s.len() == 40)
    );
    let toml = fs::read(dir.join("scenario.toml")).expect("scenario.toml");
    assert_eq!(
        m["scenario_sha256"],
        gnutsim::output::manifest::sha256_hex(&toml)
    );
    assert_eq!(m["command"][1], "run");
    assert_eq!(m["seed"], 42);
    assert!(m["shard"].is_null());
    assert_eq!(m["threads"], 2);
    for t in ["started_utc", "finished_utc"] {
        let s = m[t].as_str().expect("a string");
        assert!(
            s.len() == 20 && s.ends_with('Z') && &s[10..11] == "T",
            "{t} = {s}"
        );
    }
    assert!(m["started_utc"].as_str() <= m["finished_utc"].as_str());
}

#[test]
fn merge_refuses_missing_shards_unless_partial() {
    let shards: Vec<_> = (1..=2)
        .map(|k| out_dir(&format!("partial-{k}-of-3")))
        .collect();
    for (k, dir) in shards.iter().enumerate() {
        let o = small_quickstart(dir, &["--shard", &format!("{}/3", k + 1)]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let names: Vec<String> = shards
        .iter()
        .map(|d| d.to_string_lossy().into_owned())
        .collect();
    let merged = out_dir("partial-merged");
    let m = merged.to_string_lossy().into_owned();
    let o = gnutsim(&merge_args(&names, &m, &[]));
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("point 0, replication 2"), "{err}");
    assert!(!merged.exists());
    let o = gnutsim(&merge_args(&names, &m, &["--partial"]));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let runs = fs::read_to_string(merged.join("runs.csv")).expect("runs.csv");
    assert_eq!(runs.lines().count(), 1 + 2 * 2);
    assert_eq!(
        manifest(&merged)["shard"],
        serde_json::json!([{"k": 1, "n": 3}, {"k": 2, "n": 3}])
    );
    // Shards of another run (another seed) are refused.
    let other = out_dir("partial-3-of-3-other-seed");
    let o = small_quickstart(&other, &["--shard", "3/3", "--set", "seed=43"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut mixed = names.clone();
    mixed.push(other.to_string_lossy().into_owned());
    let mixed_out = out_dir("partial-mixed");
    let mo = mixed_out.to_string_lossy().into_owned();
    let o = gnutsim(&merge_args(&mixed, &mo, &["--partial"]));
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("different runs"), "{err}");
    assert!(!mixed_out.exists());
}
