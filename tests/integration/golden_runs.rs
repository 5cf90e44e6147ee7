//! Golden runs.csv of small scenarios, one per strategy kind and feature: tests/fixtures/golden/NAME.toml runs
//! (through the library, as `gnutsim run` does, plots aside) and its runs.csv must equal
//! tests/fixtures/golden/NAME.runs.csv byte for byte. A change in what a number means then cannot pass unnoticed.
//!
//! Bless mode: `GNUTSIM_BLESS=1 cargo test --release --test integration golden_runs` rewrites the expected files
//! from the current code instead of comparing. Goldens change only on purpose: the commit that re-blesses them
//! says why the numbers changed (see tests/fixtures/golden/README.md).

use std::fs;
use std::path::{Path, PathBuf};

use gnutsim::runner::{self, RunOptions};
use gnutsim::{output, scenario};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/golden")
}

fn blessing() -> bool {
    std::env::var("GNUTSIM_BLESS").is_ok_and(|v| v == "1")
}

/// runs.csv of a scenario file, as `gnutsim run` writes it.
fn runs_csv(path: &Path) -> Vec<u8> {
    let plan = scenario::load_plan(path, &[], gnutsim::strategies::KINDS)
        .unwrap_or_else(|e| panic!("{}: not a valid scenario: {e}", path.display()));
    let opts = RunOptions {
        threads: Some(1),
        quiet: true,
        shard: None,
    };
    let results = runner::run_plan(&plan, &opts).expect("the scenario runs");
    output::render(&plan, &results)
        .into_iter()
        .find(|(name, _)| name == "runs.csv")
        .map(|(_, bytes)| bytes)
        .expect("a results folder has runs.csv")
}

fn parse(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .map(|r| {
            r.map(|r| r.iter().map(str::to_string).collect())
                .unwrap_or_else(|e| vec![format!("<unreadable CSV row: {e}>")])
        })
        .collect()
}

/// A readable account of how `got` differs from `want`: the header, the row count, and for the first differing
/// rows the columns that differ (named by the header), each with its expected and its new value.
pub fn describe_diff(want: &[u8], got: &[u8]) -> String {
    const MAX_ROWS: usize = 6;
    let (w, g) = (parse(want), parse(got));
    let mut out = String::new();
    let empty = Vec::new();
    let header = w.first().unwrap_or(&empty);
    if w.first() != g.first() {
        out.push_str(&format!(
            "header differs:\n  expected: {}\n  got:      {}\n",
            header.join(","),
            g.first().unwrap_or(&empty).join(",")
        ));
    }
    if w.len() != g.len() {
        out.push_str(&format!(
            "{} data rows expected, {} got\n",
            w.len().saturating_sub(1),
            g.len().saturating_sub(1)
        ));
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let label = |row: &[String]| -> String {
        ["point", "replication", "strategy"]
            .iter()
            .filter_map(|k| col(k).and_then(|i| row.get(i)).map(|v| format!("{k}={v}")))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut shown = 0;
    for (i, (a, b)) in w.iter().zip(&g).enumerate().skip(1) {
        if a == b {
            continue;
        }
        if shown == MAX_ROWS {
            out.push_str("... (more rows differ)\n");
            break;
        }
        shown += 1;
        out.push_str(&format!("row {i} ({}):\n", label(a)));
        for c in 0..a.len().max(b.len()) {
            let (x, y) = (a.get(c), b.get(c));
            if x != y {
                let name = header.get(c).map_or("?", String::as_str);
                out.push_str(&format!(
                    "  {name}: expected {} got {}\n",
                    x.map_or("<none>", String::as_str),
                    y.map_or("<none>", String::as_str)
                ));
            }
        }
    }
    if out.is_empty() {
        out.push_str("the files differ in bytes only (quoting or line ends)\n");
    }
    out
}

fn check(name: &str) {
    let dir = golden_dir();
    let toml = dir.join(format!("{name}.toml"));
    let expected = dir.join(format!("{name}.runs.csv"));
    let got = runs_csv(&toml);
    if blessing() {
        fs::write(&expected, &got).expect("can write the golden file");
        eprintln!("blessed {}", expected.display());
        return;
    }
    let want = fs::read(&expected).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; create it with GNUTSIM_BLESS=1 cargo test --release --test integration golden_runs",
            expected.display()
        )
    });
    assert!(
        want == got,
        "runs.csv of tests/fixtures/golden/{name}.toml differs from {name}.runs.csv:\n{}\
         If the change is meant, re-bless with GNUTSIM_BLESS=1 cargo test --release --test integration \
         golden_runs and say in the commit message why the numbers changed.",
        describe_diff(&want, &got)
    );
}

/// One test per golden scenario, and `GOLDEN`, the list of their file stems under tests/fixtures/golden/
/// (`every_golden_scenario_is_tested` keeps it and the folder in step).
macro_rules! golden_tests {
    ($($test:ident => $name:literal),* $(,)?) => {
        const GOLDEN: &[&str] = &[$($name),*];
        $(
            #[test]
            fn $test() {
                check($name);
            }
        )*
    };
}

golden_tests! {
    walk_with_checks => "walk-checks",
    degree_biased_walk => "walk-degree",
    expanding_ring => "expanding-ring",
    client_server_with_a_queue_limit => "client-server",
    churn => "churn",
    two_tier => "two-tier",
    replication_on_hit => "replicate-on-hit",
    peer_capacity_and_queue_limit => "peer-queues",
}

#[test]
fn every_golden_scenario_is_tested() {
    let mut stems: Vec<String> = Vec::new();
    let mut csvs: Vec<String> = Vec::new();
    for entry in fs::read_dir(golden_dir()).expect("the golden folder") {
        let name = entry.expect("a folder entry").file_name();
        let name = name.to_string_lossy();
        if let Some(stem) = name.strip_suffix(".runs.csv") {
            csvs.push(stem.to_string());
        } else if let Some(stem) = name.strip_suffix(".toml") {
            stems.push(stem.to_string());
        }
    }
    stems.sort();
    let mut listed: Vec<String> = GOLDEN.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(
        stems, listed,
        "tests/fixtures/golden/*.toml and GOLDEN in golden_runs.rs must name the same scenarios"
    );
    for stem in csvs {
        assert!(
            listed.contains(&stem),
            "{stem}.runs.csv has no scenario: remove it"
        );
    }
}

#[test]
fn a_changed_cell_is_named_by_row_and_column() {
    let want = b"point,replication,strategy,queries,success_rate\n0,0,a,10,0.5\n0,1,a,12,0.25\n";
    let got = b"point,replication,strategy,queries,success_rate\n0,0,a,10,0.5\n0,1,a,12,0.3\n";
    let d = describe_diff(want, got);
    assert!(
        d.contains("row 2 (point=0 replication=1 strategy=a)")
            && d.contains("success_rate: expected 0.25 got 0.3")
            && !d.contains("queries:"),
        "{d}"
    );
    let d = describe_diff(want, &want[..want.len() - 14]);
    assert!(d.contains("2 data rows expected, 1 got"), "{d}");
}
