//! `trace --format html` (issue 24, SPEC "Second round"): the page embeds the text trace message by message,
//! links nothing on the network, stays small, and its replay runs in a real browser (headless Chromium; skipped
//! with a printed message where it is not installed). `run` keeps one traced query per strategy for report.html.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{gnutsim, gnutsim_ok, out_dir};

/// Writes the page of `args` (a trace command line without --format/-o) into `dir/name`; returns its text.
fn page(dir: &Path, name: &str, args: &[&str]) -> String {
    std::fs::create_dir_all(dir).expect("can create the folder");
    let file = dir.join(name);
    let mut all: Vec<&str> = args.to_vec();
    let f = file.to_string_lossy().into_owned();
    all.extend(["--format", "html", "-o", &f]);
    gnutsim_ok(&all);
    std::fs::read_to_string(&file).expect("the page is written")
}

/// The embedded JSON of a page.
fn embedded(html: &str) -> serde_json::Value {
    let open = "<script type=\"application/json\" id=\"trace\">";
    let start = html.find(open).expect("the page embeds the trace") + open.len();
    let end = start + html[start..].find("</script>").expect("closed");
    serde_json::from_str(&html[start..end]).expect("the embedded trace is JSON")
}

/// A node of the text trace: `12`, `12 (D)` or `server0` (servers numbered after the peers).
fn node(tokens: &mut std::iter::Peekable<std::str::SplitWhitespace>, peers: u64) -> u64 {
    let t = tokens.next().expect("a node");
    if tokens
        .peek()
        .is_some_and(|n| n.len() == 3 && n.starts_with('('))
    {
        tokens.next();
    }
    match t.strip_prefix("server") {
        Some(k) => peers + k.parse::<u64>().expect("server number"),
        None => t.parse().expect("peer number"),
    }
}

/// The text trace's rows as (time_s, hop, kind, from, to, SPEC fate).
fn text_rows(text: &str, peers: u64) -> Vec<(f64, u64, String, u64, u64, String)> {
    let mut rows = Vec::new();
    let mut lines = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("time_s"));
    lines.next();
    for line in lines.take_while(|l| !l.trim().is_empty()) {
        let mut tok = line.split_whitespace().peekable();
        let t: f64 = tok.next().unwrap().parse().unwrap();
        tok.next();
        let hop: u64 = tok.next().unwrap().parse().unwrap();
        let kind = tok.next().unwrap().to_string();
        let from = node(&mut tok, peers);
        let to = node(&mut tok, peers);
        let result = tok.collect::<Vec<_>>().join(" ");
        let fate = match result.as_str() {
            "passed on" | "handled" | "in flight" => "passed",
            "HIT at source" | "fake hit at source" => "hit",
            other => other,
        };
        rows.push((t, hop, kind, from, to, fate.to_string()));
    }
    rows
}

/// The page and `gnutsim trace` agree message by message, in order, on plain, churned and bad-actor runs.
fn assert_agrees(name: &str, args: &[&str]) {
    let dir = out_dir(&format!("trace-html-{name}"));
    let html = page(&dir, "page.html", args);
    let json = embedded(&html);
    let peers = json["peers"].as_u64().expect("peers");
    let text = gnutsim_ok(args);
    let rows = text_rows(&text, peers);
    let msgs = json["messages"].as_array().expect("messages");
    assert!(!rows.is_empty(), "{name}: no rows parsed from\n{text}");
    assert_eq!(msgs.len(), rows.len(), "{name}: one entry per message");
    let fates = [
        "new",
        "duplicate",
        "passed",
        "hit",
        "lost",
        "dropped",
        "swallowed",
    ];
    for (i, (m, r)) in msgs.iter().zip(&rows).enumerate() {
        let fate = m["fate"].as_str().unwrap();
        assert!(fates.contains(&fate), "{name}: fate {fate}");
        assert!(
            (m["t_s"].as_f64().unwrap() - r.0).abs() < 1e-7,
            "{name} #{i}: {m} vs {r:?}"
        );
        assert_eq!(m["hop"].as_u64().unwrap(), r.1, "{name} #{i}");
        assert_eq!(m["kind"].as_str().unwrap(), r.2, "{name} #{i}");
        assert_eq!(m["from"].as_u64().unwrap(), r.3, "{name} #{i}");
        assert_eq!(m["to"].as_u64().unwrap(), r.4, "{name} #{i}");
        assert_eq!(fate, r.5, "{name} #{i}: {m} vs {r:?}");
    }
}

#[test]
fn the_page_embeds_the_text_trace_message_by_message() {
    let small = "--set network.peers=300";
    let cases = [
        ("flood", format!("trace scenarios/quickstart.toml {small}")),
        (
            "ring",
            format!("trace scenarios/ttl-sweep.toml --strategy ring {small}"),
        ),
        (
            "walk",
            format!("trace scenarios/flood-vs-walk.toml --strategy walk-32x1024 {small}"),
        ),
        // Query 10 of point 3 loses messages to churn; point 10 has droppers (swallowed) and polluters (fakes).
        (
            "churn",
            "trace scenarios/churn.toml --point 3 --query 10".to_string(),
        ),
        (
            "bad-actors",
            "trace scenarios/bad-actors.toml --point 10".to_string(),
        ),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (name, line) in &cases {
        let args: Vec<&str> = line.split_whitespace().collect();
        assert_agrees(name, &args);
        let html = std::fs::read_to_string(out_dir_of(name).join("page.html")).unwrap();
        for m in embedded(&html)["messages"].as_array().unwrap() {
            seen.insert(m["fate"].as_str().unwrap().to_string());
            seen.insert(m["kind"].as_str().unwrap().to_string());
        }
    }
    for want in [
        "new",
        "duplicate",
        "passed",
        "hit",
        "lost",
        "swallowed",
        "fake-hit",
        "walker",
    ] {
        assert!(seen.contains(want), "no case covers {want}: {seen:?}");
    }
}

/// Where [`assert_agrees`] wrote a case's page (out_dir clears a folder, so it is not called twice).
fn out_dir_of(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("test-output")
        .join(format!("trace-html-{name}"))
}

/// Above 5,000 peers only the peers the query reached are drawn.
#[test]
fn a_large_overlay_draws_only_the_peers_the_query_reached() {
    let dir = out_dir("trace-html-large");
    let html = page(
        &dir,
        "page.html",
        &[
            "trace",
            "scenarios/flood-vs-walk.toml",
            "--strategy",
            "walk-32x1024",
            "--set",
            "network.peers=6000",
        ],
    );
    let json = embedded(&html);
    let mut reached = std::collections::BTreeSet::new();
    reached.insert(json["query"]["source"].as_u64().unwrap());
    for m in json["messages"].as_array().unwrap() {
        reached.insert(m["from"].as_u64().unwrap());
        reached.insert(m["to"].as_u64().unwrap());
    }
    let drawn: std::collections::BTreeSet<u64> = json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n[0].as_u64().unwrap())
        .collect();
    assert_eq!(drawn, reached);
    assert!(
        html.contains("Only the peers the query reached are drawn (the overlay has 6000 peers)")
    );
}

#[test]
fn the_page_is_self_contained_and_a_500_peer_flood_stays_under_3_mb() {
    let dir = out_dir("trace-html-size");
    let html = page(
        &dir,
        "flood.html",
        &[
            "trace",
            "scenarios/quickstart.toml",
            "--set",
            "network.peers=500",
        ],
    );
    assert!(html.len() < 3_000_000, "{} bytes", html.len());
    assert!(html.starts_with("<!DOCTYPE html>"));
    let lower = html.to_ascii_lowercase();
    for attr in ["src=", "href="] {
        for (i, _) in lower.match_indices(attr) {
            let value = lower[i + attr.len()..].trim_start_matches(['"', '\'', ' ']);
            assert!(
                !value.starts_with("http:")
                    && !value.starts_with("https:")
                    && !value.starts_with("//"),
                "a network URL: {}",
                &html[i..(i + 60).min(html.len())]
            );
        }
    }
    assert!(
        !lower.contains("<script src") && !lower.contains("<link"),
        "no external script or stylesheet"
    );
    let json = embedded(&html);
    assert!(json["messages"].as_array().is_some_and(|m| m.len() > 100));
}

#[test]
fn a_trace_page_of_an_unknown_strategy_is_a_usage_error() {
    let o = gnutsim(&[
        "trace",
        "scenarios/quickstart.toml",
        "--strategy",
        "nope",
        "--format",
        "html",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// Headless Chromium, if installed.
fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser"].iter().find_map(|name| {
        Command::new(name)
            .arg("--version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|_| PathBuf::from(name))
    })
}

/// Runs headless Chromium on `url` with `what` (`--screenshot=FILE` or `--dump-dom`); returns (stdout, stderr).
fn browse(exe: &Path, profile: &Path, what: &str, url: &str) -> (String, String) {
    let o = Command::new(exe)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--window-size=1000,1150",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(what)
        .arg(url)
        .output()
        .expect("chromium runs");
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn the_replay_runs_in_a_real_browser() {
    let Some(exe) = chromium() else {
        println!(
            "SKIPPED the_replay_runs_in_a_real_browser: chromium is not installed (apt-get install chromium)"
        );
        eprintln!(
            "SKIPPED the_replay_runs_in_a_real_browser: chromium is not installed (apt-get install chromium)"
        );
        return;
    };
    let dir = out_dir("trace-html-browser");
    let html = page(
        &dir,
        "flood.html",
        &[
            "trace",
            "scenarios/quickstart.toml",
            "--set",
            "network.peers=500",
        ],
    );
    let total = embedded(&html)["messages"].as_array().unwrap().len();
    let file = dir.join("flood.html").canonicalize().unwrap();
    let url = format!("file://{}", file.display());
    let mut shots = Vec::new();
    for (i, at) in ["0.03", "end"].iter().enumerate() {
        let png = dir.join(format!("at-{i}.png"));
        let (_, err) = browse(
            &exe,
            &dir.join(format!("profile-{i}")),
            &format!("--screenshot={}", png.display()),
            &format!("{url}#t={at}"),
        );
        assert!(
            !err.contains("Uncaught"),
            "a script error at t={at}:\n{err}"
        );
        shots.push(
            std::fs::read(&png)
                .unwrap_or_else(|e| panic!("no screenshot {}: {e}\n{err}", png.display())),
        );
    }
    assert!(
        shots[0].len() > 1000 && shots[0] != shots[1],
        "the two moments look the same"
    );
    let (dom, err) = browse(
        &exe,
        &dir.join("profile-dom"),
        "--dump-dom",
        &format!("{url}#t=end"),
    );
    assert!(!err.contains("Uncaught"), "{err}");
    assert!(
        dom.contains("data-ready=\"1\""),
        "the script did not finish:\n{err}"
    );
    assert!(
        dom.contains("<div id=\"error\"></div>"),
        "the page shows an error"
    );
    assert!(
        !dom.contains("<title>script error"),
        "the title reports an error"
    );
    assert!(
        dom.contains(&format!("<b>messages</b> {total} ")),
        "at the end every message is counted ({total})"
    );
}

#[test]
fn a_run_keeps_one_traced_query_per_strategy_for_its_report() {
    let dir = out_dir("trace-html-report");
    let d = dir.to_string_lossy().into_owned();
    gnutsim_ok(&[
        "run",
        "scenarios/quickstart.toml",
        "--set",
        "network.peers=300",
        "-o",
        &d,
        "--quiet",
    ]);
    let report = std::fs::read_to_string(dir.join("report.html")).unwrap();
    for s in ["flood-ttl7", "flood-ttl3"] {
        let page = std::fs::read_to_string(dir.join(format!("traces/{s}.html"))).unwrap();
        assert!(!embedded(&page)["messages"].as_array().unwrap().is_empty());
        assert!(
            report.contains(&format!("<iframe class=\"trace\" src=\"traces/{s}.html\"")),
            "report.html shows {s}'s query"
        );
    }
    // Deterministic: a second run (other thread count) writes the same pages.
    let again = out_dir("trace-html-report-again");
    let a = again.to_string_lossy().into_owned();
    gnutsim_ok(&[
        "run",
        "scenarios/quickstart.toml",
        "--set",
        "network.peers=300",
        "-o",
        &a,
        "--quiet",
        "--threads",
        "1",
    ]);
    assert_eq!(
        std::fs::read(dir.join("traces/flood-ttl7.html")).unwrap(),
        std::fs::read(again.join("traces/flood-ttl7.html")).unwrap()
    );
}

/// `merge` keeps the traced queries of the shard that ran point 0, replication 0, and its report shows them.
#[test]
fn merged_shards_keep_the_traced_queries() {
    let base = out_dir("trace-html-shards");
    let mut dirs = Vec::new();
    for k in 1..=2 {
        let d = base
            .join(format!("shard-{k}"))
            .to_string_lossy()
            .into_owned();
        gnutsim_ok(&[
            "run",
            "scenarios/quickstart.toml",
            "--set",
            "network.peers=200",
            "--shard",
            &format!("{k}/2"),
            "-o",
            &d,
            "--quiet",
        ]);
        dirs.push(d);
    }
    let merged = base.join("merged");
    let m = merged.to_string_lossy().into_owned();
    gnutsim_ok(&["merge", &dirs[0], &dirs[1], "-o", &m]);
    let original = std::fs::read(Path::new(&dirs[0]).join("traces/flood-ttl7.html")).unwrap();
    assert_eq!(
        std::fs::read(merged.join("traces/flood-ttl7.html")).unwrap(),
        original
    );
    let report = std::fs::read_to_string(merged.join("report.html")).unwrap();
    assert!(report.contains("src=\"traces/flood-ttl3.html\""));
}
