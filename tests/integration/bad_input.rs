//! Every class of bad input gets exit status 2, a message naming the file, the line and the key, and no
//! results folder.

use std::fs;
use std::process::Command;

use crate::common::out_dir;

const GOOD: &str = include_str!("../../scenarios/quickstart.toml");

/// (class, change to the quickstart: (find, replace), or text to append, extra args, key expected in the message,
/// words expected in the message).
struct Case {
    name: &'static str,
    find: &'static str,
    replace: &'static str,
    args: &'static [&'static str],
    key: &'static str,
    words: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "zero-peers",
        find: "peers = 2000",
        replace: "peers = 0",
        args: &[],
        key: "network.peers",
        words: "from 2",
    },
    Case {
        name: "negative-duration",
        find: "duration = 600.0",
        replace: "duration = -1.0",
        args: &[],
        key: "duration",
        words: "positive",
    },
    Case {
        name: "zero-rate",
        find: "query_rate = 0.0005",
        replace: "query_rate = 0.0",
        args: &[],
        key: "workload.query_rate",
        words: "positive",
    },
    Case {
        name: "zero-replications",
        find: "replications = 3",
        replace: "replications = 0",
        args: &[],
        key: "replications",
        words: "between 1",
    },
    Case {
        name: "zero-objects",
        find: "objects = 200",
        replace: "objects = 0",
        args: &[],
        key: "content.objects",
        words: "positive",
    },
    Case {
        name: "probability",
        find: "kind = \"random\"\nmean_degree = 4.0",
        replace: "kind = \"small-world\"\ndegree = 4\nrewire = 1.5",
        args: &[],
        key: "topology.rewire",
        words: "[0, 1]",
    },
    Case {
        name: "degree-too-big",
        find: "kind = \"random\"\nmean_degree = 4.0",
        replace: "kind = \"regular\"\ndegree = 2000",
        args: &[],
        key: "topology.degree",
        words: "peers - 1",
    },
    Case {
        name: "mean-degree-too-big",
        find: "mean_degree = 4.0",
        replace: "mean_degree = 5000.0",
        args: &[],
        key: "topology.mean_degree",
        words: "peers - 1",
    },
    Case {
        // 10^8 peers of mean degree 50: 5 x 10^9 link ends, more than 4-byte offsets hold (a panic once).
        name: "too-many-links",
        find: "peers = 2000",
        replace: "peers = 100000000",
        args: &["--set", "topology.mean_degree=50.0"],
        key: "topology.mean_degree",
        words: "link ends",
    },
    Case {
        name: "ttl-zero",
        find: "ttl = 3",
        replace: "ttl = 0",
        args: &[],
        key: "strategy.flood-ttl3.ttl",
        words: "from 1",
    },
    Case {
        name: "walkers-zero",
        find: "kind = \"flooding\"\nttl = 3",
        replace: "kind = \"random-walk\"\nwalkers = 0",
        args: &[],
        key: "strategy.flood-ttl3.walkers",
        words: "from 1",
    },
    Case {
        name: "weibull-shape",
        find: "{ dist = \"lognormal\", median = 0.05, sigma = 0.5 }",
        replace: "{ dist = \"weibull\", shape = 0.0, scale = 0.05 }",
        args: &[],
        key: "network.latency.shape",
        words: "positive",
    },
    Case {
        name: "pareto-shape",
        find: "{ dist = \"lognormal\", median = 0.05, sigma = 0.5 }",
        replace: "{ dist = \"pareto\", shape = -2.0, scale = 0.05 }",
        args: &[],
        key: "network.latency.shape",
        words: "positive",
    },
    Case {
        name: "lognormal-sigma",
        find: "sigma = 0.5",
        replace: "sigma = -0.5",
        args: &[],
        key: "network.latency.sigma",
        words: "zero or more",
    },
    Case {
        name: "negative-latency",
        find: "{ dist = \"lognormal\", median = 0.05, sigma = 0.5 }",
        replace: "{ dist = \"constant\", value = -0.05 }",
        args: &[],
        key: "network.latency.value",
        words: "zero or more",
    },
    Case {
        name: "replicas-over-peers",
        find: "replicas_mean = 5.0",
        replace: "replicas_mean = 2500.0",
        args: &[],
        key: "content.replicas_mean",
        words: "peers - 1",
    },
    Case {
        name: "warmup-over-duration",
        find: "warmup = 60.0",
        replace: "warmup = 900.0",
        args: &[],
        key: "warmup",
        words: "less than duration",
    },
    Case {
        name: "unknown-topology",
        find: "kind = \"random\"",
        replace: "kind = \"hypercube\"",
        args: &[],
        key: "topology.kind",
        words: "allowed: random",
    },
    Case {
        name: "unknown-strategy",
        find: "kind = \"flooding\"\nttl = 3",
        replace: "kind = \"gossip\"",
        args: &[],
        key: "strategy.flood-ttl3.kind",
        words: "allowed: flooding",
    },
    Case {
        name: "unknown-dist",
        find: "dist = \"lognormal\"",
        replace: "dist = \"gaussian\"",
        args: &[],
        key: "network.latency.dist",
        words: "allowed: constant",
    },
    Case {
        name: "duplicate-names",
        find: "name = \"flood-ttl3\"",
        replace: "name = \"flood-ttl7\"",
        args: &[],
        key: "name",
        words: "unique",
    },
    Case {
        name: "no-strategy",
        find: "[[strategy]]",
        replace: "[[nostrategy]]",
        args: &[],
        key: "nostrategy",
        words: "unknown key",
    },
    Case {
        name: "sweep-unknown-key",
        find: "[output]",
        replace: "[sweep]\n\"network.peerz\" = [10, 20]\n[output]",
        args: &[],
        key: "network.peerz",
        words: "unknown key",
    },
    Case {
        name: "sweep-empty",
        find: "[output]",
        replace: "[sweep]\n\"network.peers\" = []\n[output]",
        args: &[],
        key: "network.peers",
        words: "empty",
    },
    Case {
        name: "set-unknown-path",
        find: "",
        replace: "",
        args: &["--set", "network.speed=3"],
        key: "network.speed",
        words: "unknown key",
    },
    Case {
        name: "set-wrong-type",
        find: "",
        replace: "",
        args: &["--set", "strategy.flood-ttl7.ttl=seven"],
        key: "strategy.flood-ttl7.ttl",
        words: "integer",
    },
    Case {
        name: "wrong-type",
        find: "objects = 200",
        replace: "objects = \"many\"",
        args: &[],
        key: "content.objects",
        words: "integer",
    },
    Case {
        name: "unknown-key",
        find: "seed = 42",
        replace: "seed = 42\nsed = 1",
        args: &[],
        key: "sed",
        words: "unknown key",
    },
    Case {
        name: "adversaries-over-one",
        find: "[[strategy]]",
        replace: "[adversaries]\nfree_riders = 0.5\ndroppers = 0.3\npolluters = 0.3\n[[strategy]]",
        args: &[],
        key: "adversaries.polluters",
        words: "more than 1",
    },
    Case {
        name: "adversaries-negative-share",
        find: "[[strategy]]",
        replace: "[adversaries]\ndroppers = -0.1\n[[strategy]]",
        args: &[],
        key: "adversaries.droppers",
        words: "from 0 to 1",
    },
    Case {
        name: "adversaries-tier-on-a-flat-overlay",
        find: "[[strategy]]",
        replace: "[adversaries]\ndroppers = 0.1\nplacement = \"ultrapeers\"\n[[strategy]]",
        args: &[],
        key: "adversaries.placement",
        words: "needs a two-tier overlay",
    },
    Case {
        name: "adversaries-unknown-placement",
        find: "[[strategy]]",
        replace: "[adversaries]\ndroppers = 0.1\nplacement = \"edges\"\n[[strategy]]",
        args: &[],
        key: "adversaries.placement",
        words: "allowed: uniform, ultrapeers, leaves",
    },
    Case {
        name: "adversaries-misspelled-key",
        find: "[[strategy]]",
        replace: "[adversaries]\ndropers = 0.1\n[[strategy]]",
        args: &[],
        key: "adversaries.dropers",
        words: "did you mean droppers?",
    },
    Case {
        name: "adversaries-no-room-for-copies",
        find: "[[strategy]]",
        replace: "[adversaries]\nfree_riders = 0.999\n[[strategy]]",
        args: &[],
        key: "adversaries.free_riders",
        words: "fewer than content.replicas_mean",
    },
    Case {
        name: "message-bytes-misspelled-kind",
        find: "[topology]",
        replace: "message_bytes = { qurey = 100 }\n[topology]",
        args: &[],
        key: "network.message_bytes.qurey",
        words: "did you mean query?",
    },
    Case {
        name: "message-bytes-zero",
        find: "[topology]",
        replace: "message_bytes = { hit = 0 }\n[topology]",
        args: &[],
        key: "network.message_bytes.hit",
        words: "whole number of bytes",
    },
    Case {
        name: "upload-zero",
        find: "[topology]",
        replace: "upload = { dist = \"constant\", value = 0.0 }\n[topology]",
        args: &[],
        key: "network.upload",
        words: "positive",
    },
];

fn run(file: &std::path::Path, extra: &[&str], out: &std::path::Path) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_gnutsim"))
        .arg("run")
        .arg(file)
        .arg("-o")
        .arg(out)
        .arg("--quiet")
        .args(extra)
        .output()
        .expect("gnutsim runs");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn every_bad_value_class_is_rejected_with_file_line_and_key() {
    for case in CASES {
        let dir = out_dir(&format!("bad-class-{}", case.name));
        let text = if case.find.is_empty() {
            GOOD.to_string()
        } else {
            assert!(
                GOOD.contains(case.find),
                "{}: pattern not in quickstart",
                case.name
            );
            GOOD.replacen(case.find, case.replace, 1)
        };
        let file = dir.with_extension("toml");
        fs::write(&file, &text).expect("write");
        let (code, err) = run(&file, case.args, &dir);
        assert_eq!(code, Some(2), "{}: {err}", case.name);
        assert!(
            err.contains(case.key),
            "{}: key {} not in: {err}",
            case.name,
            case.key
        );
        assert!(
            err.contains(case.words),
            "{}: {:?} not in: {err}",
            case.name,
            case.words
        );
        assert!(
            err.contains(file.to_str().expect("utf-8")),
            "{}: file not named: {err}",
            case.name
        );
        // The line: the changed line for file edits, the --set argument otherwise.
        if case.args.is_empty() && !case.replace.is_empty() {
            let first_changed = text
                .lines()
                .zip(GOOD.lines())
                .position(|(a, b)| a != b)
                .expect("a changed line")
                + 1;
            // The offending key's line: the first line from the change on that holds the key's last part.
            let last = case.key.rsplit('.').next().expect("a key");
            let line = text
                .lines()
                .enumerate()
                .skip(first_changed - 1)
                .find(|(_, l)| l.contains(last))
                .map(|(i, _)| i + 1)
                .unwrap_or(first_changed);
            assert!(
                err.contains(&format!(".toml:{line}")),
                "{}: line {line} not named: {err}",
                case.name
            );
        } else if !case.args.is_empty() {
            assert!(err.contains("--set "), "{}: {err}", case.name);
        }
        assert!(!err.contains("panicked"), "{}: {err}", case.name);
        assert!(!dir.exists(), "{}: a results folder appeared", case.name);
    }
}

#[test]
fn empty_binary_and_missing_files_are_rejected() {
    for (name, bytes, words) in [
        ("empty", &b""[..], "empty"),
        ("blank", &b"\n  \n"[..], "empty"),
        ("binary", &b"\x7fELF\x02\x01\x01\0\0\0"[..], "binary"),
        ("latin1", &b"name = \"caf\xe9\"\n"[..], "not UTF-8"),
    ] {
        let dir = out_dir(&format!("bad-file-{name}"));
        let file = dir.with_extension("toml");
        fs::write(&file, bytes).expect("write");
        let (code, err) = run(&file, &[], &dir);
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(err.contains(words), "{name}: {err}");
        assert!(!dir.exists());
    }
    let dir = out_dir("bad-file-missing");
    let (code, err) = run(std::path::Path::new("no/such/file.toml"), &[], &dir);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("no/such/file.toml") && err.contains("cannot read"),
        "{err}"
    );
}

#[test]
fn bad_lines_in_churn_traces_name_their_line() {
    let dir = out_dir("bad-trace");
    fs::create_dir_all(&dir).expect("mkdir");
    fs::write(
        dir.join("churn.csv"),
        "peer,time,event\n1,10.0,leave\n1,20.0,join\n2,5.0,explode\n",
    )
    .expect("write");
    let scen = dir.join("s.toml");
    fs::write(
        &scen,
        GOOD.replace("[output]", "[churn]\ntrace = \"churn.csv\"\n[output]"),
    )
    .expect("write");
    let out = dir.join("results");
    let (code, err) = run(&scen, &[], &out);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("churn.csv:4"), "{err}");
    assert!(!out.exists());
}

#[test]
fn too_much_work_is_refused_unless_forced() {
    // A million peers flooding with TTL 20 for a day: far beyond 10^12 events.
    let dir = out_dir("too-big");
    let (code, err) = run(
        std::path::Path::new("scenarios/quickstart.toml"),
        &[
            "--set",
            "network.peers=1000000",
            "--set",
            "duration=86400.0",
            "--set",
            "strategy.flood-ttl7.ttl=20",
            "--set",
            "workload.query_rate=0.01",
        ],
        &dir,
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("events") && err.contains("--force"), "{err}");
    assert!(!dir.exists());
}
