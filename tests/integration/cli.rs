//! The binary: determinism across runs and thread counts, and bad input (exit 2, file/line/key, no folder).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{gnutsim, out_dir};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file of a results folder but timing.csv and manifest.json (the ones outside the byte-identical
/// guarantee: wall-clock times, the command line).
fn deterministic_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .expect("results folder exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(name, _)| name != "timing.csv" && name != "manifest.json")
        .map(|(name, path)| (name, fs::read(path).expect("readable")))
        .collect();
    files.sort();
    files
}

fn run_to(dir: &Path, extra: &[&str]) {
    let d = dir.to_str().expect("utf-8 path");
    let mut args = vec!["run", "scenarios/quickstart.toml", "-o", d, "--quiet"];
    args.extend_from_slice(extra);
    let o = gnutsim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn same_seed_gives_identical_bytes_at_any_thread_count() {
    let a = out_dir("determinism-threads-1");
    let b = out_dir("determinism-threads-2");
    let c = out_dir("determinism-threads-2-again");
    // A shorter quickstart keeps the test quick; queries.csv on, so per-query rows are compared too.
    let short = [
        "--set",
        "duration=200.0",
        "--set",
        "output.queries=true",
        "--set",
        "warmup=20.0",
    ];
    run_to(&a, &[&["--threads", "1"][..], &short[..]].concat());
    run_to(&b, &[&["--threads", "2"][..], &short[..]].concat());
    run_to(&c, &[&["--threads", "2"][..], &short[..]].concat());
    let fa = deterministic_files(&a);
    assert!(fa.iter().any(|(n, _)| n == "queries.csv"));
    assert_eq!(
        fa.len(),
        8,
        "{:?}",
        fa.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert_eq!(fa, deterministic_files(&b));
    assert_eq!(fa, deterministic_files(&c));
    // A different seed changes the numbers.
    let d = out_dir("determinism-seed-2");
    run_to(&d, &[&["--set", "seed=2"][..], &short[..]].concat());
    let runs = |dir: &Path| fs::read(dir.join("runs.csv")).expect("runs.csv");
    assert_ne!(runs(&a), runs(&d));
}

#[test]
fn huge_pages_change_no_result() {
    // 300,000 peers: the overlay's lists (9.6 MB), offsets and the run's counters get mappings of their own
    // with the flag (the allocator's unit tests check that they do).
    let a = out_dir("huge-pages-off");
    let b = out_dir("huge-pages-on");
    let big = [
        "--set",
        "network.peers=300000",
        "--set",
        "duration=60.0",
        "--set",
        "warmup=10.0",
        "--set",
        "workload.query_rate=0.00002",
        "--threads",
        "1",
    ];
    run_to(&a, &big);
    run_to(&b, &[&big[..], &["--huge-pages"][..]].concat());
    let fa = deterministic_files(&a);
    assert_eq!(
        fa.len(),
        7,
        "{:?}",
        fa.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert_eq!(fa, deterministic_files(&b));
    let manifest = fs::read_to_string(b.join("manifest.json")).expect("manifest.json");
    assert!(
        manifest.contains("--huge-pages"),
        "the command line is recorded"
    );
}

/// Runs a bad scenario and checks exit 2, the message, and that no results folder appeared.
fn assert_rejected(file: &str, text: Option<&str>, extra: &[&str], want: &[&str]) {
    let dir = out_dir(&format!("bad-{}", file.replace(['/', '.'], "-")));
    let scenario: PathBuf = match text {
        Some(t) => {
            let p = dir.with_extension("toml");
            fs::write(&p, t).expect("writable");
            p
        }
        None => PathBuf::from(file),
    };
    let s = scenario.to_str().expect("utf-8");
    let d = dir.to_str().expect("utf-8");
    let mut args = vec!["run", s, "-o", d, "--quiet"];
    args.extend_from_slice(extra);
    let o = gnutsim(&args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for w in want {
        assert!(err.contains(w), "expected {w:?} in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(!dir.exists(), "no results folder for a bad scenario");
    // This run's temporary folder is `.NAME.tmp-PID` beside it; other tests' runs may have theirs there now.
    let parent = dir.parent().expect("parent");
    let name = dir
        .file_name()
        .expect("a name")
        .to_string_lossy()
        .into_owned();
    let ours = format!(".{name}.tmp-");
    let leftovers: Vec<_> = fs::read_dir(parent)
        .expect("listable")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(&ours))
        .collect();
    assert!(leftovers.is_empty(), "no temporary folder left behind");
}

const GOOD: &str = include_str!("../../scenarios/quickstart.toml");

#[test]
fn unknown_key_is_rejected_with_line_and_key() {
    let text = GOOD.replace("mean_degree = 4.0", "mean_degree = 4.0\nmean_degre = 5.0");
    let line = text
        .lines()
        .position(|l| l.starts_with("mean_degre "))
        .expect("inserted")
        + 1;
    assert_rejected(
        "unknown-key",
        Some(&text),
        &[],
        &[&format!(".toml:{line}: topology.mean_degre: unknown key")],
    );
}

#[test]
fn wrong_type_is_rejected_with_line_and_key() {
    let text = GOOD.replace("ttl = 3", "ttl = \"three\"");
    let line = text
        .lines()
        .position(|l| l.contains("\"three\""))
        .expect("replaced")
        + 1;
    assert_rejected(
        "wrong-type",
        Some(&text),
        &[],
        &[&format!(
            ":{line}: strategy.flood-ttl3.ttl: must be an integer"
        )],
    );
}

#[test]
fn negative_peers_is_rejected_with_line_and_key() {
    let text = GOOD.replace("peers = 2000", "peers = -5");
    let line = text
        .lines()
        .position(|l| l == "peers = -5")
        .expect("replaced")
        + 1;
    assert_rejected(
        "negative-peers",
        Some(&text),
        &[],
        &[&format!(
            ":{line}: network.peers: must be an integer from 2"
        )],
    );
}

#[test]
fn missing_file_and_bad_set_are_rejected() {
    assert_rejected(
        "scenarios/does-not-exist.toml",
        None,
        &[],
        &["scenarios/does-not-exist.toml", "cannot read"],
    );
    assert_rejected(
        "bad-set",
        Some(GOOD),
        &["--set", "network.peers=lots"],
        &[
            "--set network.peers=lots",
            "network.peers: must be an integer",
        ],
    );
    assert_rejected(
        "syntax",
        Some("seed = 1\nduration = = 3\n"),
        &[],
        &[".toml:2: not valid TOML"],
    );
    assert_rejected("binary", Some("seed = 1\n\0\0\u{1}"), &[], &["binary file"]);
}

#[test]
fn check_prints_a_resolved_scenario_that_reloads() {
    let o = gnutsim(&["check", "scenarios/quickstart.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).expect("utf-8");
    assert!(text.contains("# work: 1 point x 3 replications x 2 strategies = 6 runs"));
    assert!(text.contains("latency = { dist = \"lognormal\", median = 0.05, sigma = 0.5 }"));
    let again = gnutsim::scenario::load_str(
        Path::new("resolved.toml"),
        &text,
        &[],
        gnutsim::strategies::KINDS,
    )
    .expect("the resolved scenario is itself valid");
    let original = gnutsim::scenario::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml"),
        &[],
        gnutsim::strategies::KINDS,
    )
    .expect("valid");
    assert_eq!(again.network, original.network);
    assert_eq!(again.strategies, original.strategies);
}

#[test]
fn run_replaces_previous_results_only_when_complete() {
    let dir = out_dir("replace");
    fs::create_dir_all(&dir).expect("mkdir");
    fs::write(dir.join("stale.txt"), "old").expect("write");
    run_to(&dir, &["--set", "duration=60.0", "--set", "warmup=0.0"]);
    assert!(
        !dir.join("stale.txt").exists(),
        "the old folder was replaced whole"
    );
    assert!(dir.join("runs.csv").exists());
    // A results path that is a file is an error (exit 1), and the file is left alone.
    let file = out_dir("a-file");
    fs::write(&file, "keep").expect("write");
    let o = gnutsim(&[
        "run",
        "scenarios/quickstart.toml",
        "-o",
        file.to_str().expect("utf-8"),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a folder"));
    assert_eq!(fs::read_to_string(&file).expect("read"), "keep");
}

#[test]
fn an_unwritable_results_path_is_a_clear_error() {
    // /proc refuses new folders even to root.
    let o = gnutsim(&[
        "run",
        "scenarios/quickstart.toml",
        "-o",
        "/proc/gnutsim-results",
        "--quiet",
        "--set",
        "duration=30.0",
        "--set",
        "warmup=0.0",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot create the folder"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_reader_that_goes_away_is_not_a_panic() {
    // `gnutsim check X | head -1`: the pipe closes before gnutsim has written everything. The reader here
    // closes it before gnutsim writes anything; gnutsim ends quietly with status 0, as ripgrep does.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gnutsim"))
        .args(["check", "scenarios/quickstart.toml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("gnutsim runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("gnutsim ends");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}
