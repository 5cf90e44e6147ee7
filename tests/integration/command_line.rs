//! The command line's habits (issue 19): suggestions for misspelled keys, sweep points for topology and trace,
//! formats as closed lists, completions, and commands that say what they did.

use std::fs;

use crate::common::{gnutsim, gnutsim_ok, out_dir};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_misspelled_key_is_unknown_with_the_nearest_allowed_key() {
    let dir = out_dir("misspelled");
    fs::create_dir_all(&dir).expect("folder");
    let quickstart = fs::read_to_string("scenarios/quickstart.toml").expect("quickstart");
    let cases = [
        // A required table, misspelled: not "missing", but unknown with the right name.
        (
            "[network]",
            "[netwrk]",
            "netwrk: unknown key (did you mean network?)",
        ),
        (
            "mean_degree",
            "mean_degre",
            "topology.mean_degre: unknown key (did you mean mean_degree?)",
        ),
        (
            "replications",
            "replicatoins",
            "replicatoins: unknown key (did you mean replications?)",
        ),
    ];
    for (from, to, want) in cases {
        assert!(quickstart.contains(from), "{from}");
        let path = dir.join(format!("{to}.toml"));
        fs::write(&path, quickstart.replacen(from, to, 1)).expect("write");
        let o = gnutsim(&["check", path.to_str().expect("utf-8")]);
        assert_eq!(o.status.code(), Some(2), "{to}");
        assert!(stderr(&o).contains(want), "{to}: {}", stderr(&o));
    }
}

#[test]
fn topology_and_trace_build_the_sweep_point_asked_and_name_it() {
    let out = gnutsim_ok(&["topology", "scenarios/two-tier.toml", "--point", "1"]);
    assert!(out.starts_with("point: 1 (topology="), "{out}");
    let o = gnutsim(&["topology", "scenarios/two-tier.toml", "--point", "9"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("has 2 sweep points (0 to 1)"),
        "{}",
        stderr(&o)
    );
    let out = gnutsim_ok(&["trace", "scenarios/ttl-sweep.toml", "--point", "2"]);
    assert!(
        out.lines()
            .next()
            .is_some_and(|l| l.contains("point 2 (strategy.flood.ttl=")),
        "{out}"
    );
    // A --set that the sweep overrides is not silently lost.
    let o = gnutsim(&[
        "topology",
        "scenarios/ttl-sweep.toml",
        "--set",
        "strategy.flood.ttl=3",
    ]);
    assert!(o.status.success());
    assert!(
        stderr(&o).contains("overridden by the sweep"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_query_past_the_end_says_how_many_there_were() {
    let o = gnutsim(&[
        "trace",
        "scenarios/quickstart.toml",
        "--query",
        "100000",
        "--set",
        "duration=20.0",
        "--set",
        "warmup=0.0",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("--query 100000: the run issues ") && e.contains("(numbered 0 to "),
        "{e}"
    );
}

#[test]
fn formats_are_closed_lists_and_completions_print() {
    let o = gnutsim(&["topology", "scenarios/quickstart.toml", "--format", "xml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("possible values: stats, dot, edgelist"),
        "{}",
        stderr(&o)
    );
    for shell in ["bash", "zsh", "fish"] {
        let out = gnutsim_ok(&["completions", shell]);
        assert!(
            out.contains("gnutsim") && out.contains("validate"),
            "{shell}"
        );
    }
    // Every argument of every command has a description.
    for cmd in [
        "run", "check", "plot", "topology", "trace", "merge", "validate",
    ] {
        let help = gnutsim_ok(&[cmd, "-h"]);
        let bare: Vec<&str> = help
            .lines()
            .filter(|l| {
                let t = l.trim();
                (t.starts_with('<') || t.starts_with('[') || t.starts_with('-'))
                    && !t.contains("  ")
            })
            .collect();
        assert!(
            bare.is_empty(),
            "{cmd}: arguments without a description: {bare:?}"
        );
    }
}

#[test]
fn plot_says_what_it_wrote() {
    let dir = out_dir("plot-says");
    let d = dir.to_str().expect("utf-8");
    gnutsim_ok(&[
        "run",
        "scenarios/quickstart.toml",
        "-o",
        d,
        "--quiet",
        "--set",
        "duration=100.0",
        "--set",
        "warmup=10.0",
    ]);
    let out = gnutsim_ok(&["plot", d]);
    assert!(
        out.starts_with("gnutsim: redrew ") && out.contains("report.html"),
        "{out}"
    );
}

#[test]
fn seed_is_set_seed() {
    let a = out_dir("seed-flag");
    let b = out_dir("seed-set");
    let small = ["--quiet", "--set", "duration=100.0", "--set", "warmup=10.0"];
    let mut args = vec![
        "run",
        "scenarios/quickstart.toml",
        "-o",
        a.to_str().expect("utf-8"),
        "--seed",
        "42",
    ];
    args.extend(small);
    gnutsim_ok(&args);
    let mut args = vec![
        "run",
        "scenarios/quickstart.toml",
        "-o",
        b.to_str().expect("utf-8"),
        "--set",
        "seed=42",
    ];
    args.extend(small);
    gnutsim_ok(&args);
    let runs = |d: &std::path::Path| fs::read(d.join("runs.csv")).expect("runs.csv");
    assert_eq!(runs(&a), runs(&b));
    let scenario = fs::read_to_string(a.join("scenario.toml")).expect("scenario.toml");
    assert!(scenario.contains("\nseed = 42\n"), "{scenario}");
}
