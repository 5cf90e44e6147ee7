//! Plots and report.html, drawn from checked-in results folders (tests/fixtures/, made by make_fixtures.py):
//! `sweep` (two swept keys, one of them labels, four points, three replications, a client-server strategy,
//! queries.csv)
//! and `single` (no sweep, one replication so every ci95 is empty, a strategy with empty cells).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use gnutsim::output::{plots, report};

const METRICS: [&str; 6] = [
    "success_rate",
    "messages_per_query",
    "mean_hops",
    "mean_latency_s",
    "load_max",
    "load_gini",
];

/// A private copy of a fixture folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn of(fixture: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "gnutsim-plots-{}-{}-{fixture}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(fixture);
        for entry in fs::read_dir(&src).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
            }
        }
        Scratch(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn base_stems() -> Vec<String> {
    let mut stems = vec!["lorenz".to_string()];
    stems.extend(METRICS.iter().map(|m| m.to_string()));
    stems.push("timeseries_online".into());
    stems.push("timeseries_success".into());
    stems
}

/// The plots of a sweep of `points` points: every per-point plot in `point-K/`, the sweep plots in `plots/`.
fn sweep_stems(points: usize, keys: &[&str]) -> Vec<String> {
    let mut stems = Vec::new();
    for p in 0..points {
        stems.extend(base_stems().iter().map(|s| format!("point-{p}/{s}")));
    }
    for key in keys {
        for m in METRICS {
            stems.push(format!("sweep_{m}_vs_{key}"));
        }
    }
    stems
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Checks a PNG's signature, walks its chunks (lengths and CRCs), and returns the IHDR width and height.
fn png_size(path: &Path) -> (u32, u32) {
    let b = fs::read(path).unwrap();
    assert_eq!(
        &b[..8],
        b"\x89PNG\r\n\x1a\n",
        "{} is not a PNG",
        path.display()
    );
    let mut at = 8;
    let mut kinds = Vec::new();
    while at + 12 <= b.len() {
        let len = u32::from_be_bytes(b[at..at + 4].try_into().unwrap()) as usize;
        let body = &b[at + 4..at + 8 + len];
        let crc = u32::from_be_bytes(b[at + 8 + len..at + 12 + len].try_into().unwrap());
        assert_eq!(crc32(body), crc, "bad chunk CRC in {}", path.display());
        kinds.push(String::from_utf8_lossy(&body[..4]).into_owned());
        at += 12 + len;
    }
    assert_eq!(at, b.len(), "trailing bytes in {}", path.display());
    assert_eq!(kinds.first().map(String::as_str), Some("IHDR"));
    assert_eq!(kinds.last().map(String::as_str), Some("IEND"));
    assert!(kinds.iter().any(|k| k == "IDAT"));
    let w = u32::from_be_bytes(b[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(b[20..24].try_into().unwrap());
    (w, h)
}

fn check_plots(dir: &Path, stems: &[String]) {
    let plots_dir = dir.join("plots");
    for stem in stems {
        let png = plots_dir.join(format!("{stem}.png"));
        assert!(png.is_file(), "missing {}", png.display());
        assert_eq!(png_size(&png), (1000, 700), "{}", png.display());
        let svg = fs::read_to_string(plots_dir.join(format!("{stem}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("width=\"1000\""),
            "{stem}.svg"
        );
        assert!(
            svg.trim_end().ends_with("</svg>"),
            "{stem}.svg is cut short"
        );
        assert!(svg.contains("<text"), "{stem}.svg has no text");
    }
    assert_eq!(
        count_files(&plots_dir),
        2 * stems.len(),
        "unexpected files in plots/"
    );
}

/// Files under `dir`, in its subfolders too.
fn count_files(dir: &Path) -> usize {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| if p.is_dir() { count_files(&p) } else { 1 })
        .sum()
}

const SWEEP_KEYS: [&str; 2] = ["topology", "content_replicas_mean"];

#[test]
fn draws_every_plot_of_a_sweep() {
    let s = Scratch::of("sweep");
    plots::draw_all(s.path()).unwrap();
    check_plots(s.path(), &sweep_stems(4, &SWEEP_KEYS));
    // Each point's plots show that point: its swept values under the title.
    let svg = fs::read_to_string(s.path().join("plots/point-3/lorenz.svg")).unwrap();
    assert!(
        svg.contains("At point 3: topology = "),
        "point 3 is not named"
    );
}

#[test]
fn a_flat_online_series_is_not_drawn_and_the_report_says_so() {
    let s = Scratch::of("single");
    let path = s.path().join("timeseries.csv");
    let text = fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let col = header.split(',').position(|c| c == "online_peers").unwrap();
    let mut out = vec![header];
    for line in lines {
        let mut cells: Vec<String> = line.split(',').map(String::from).collect();
        cells[col] = "500".into();
        out.push(cells.join(","));
    }
    fs::write(&path, out.join("\n") + "\n").unwrap();
    plots::draw_all(s.path()).unwrap();
    let stems: Vec<String> = base_stems()
        .into_iter()
        .filter(|s| s != "timeseries_online")
        .collect();
    check_plots(s.path(), &stems);
    report::write_report(s.path()).unwrap();
    let html = fs::read_to_string(s.path().join("report.html")).unwrap();
    assert!(html.contains("Online peers over time: not drawn"));
}

#[test]
fn draws_a_single_replication_without_sweep() {
    let s = Scratch::of("single");
    assert!(!s.path().join("queries.csv").exists());
    plots::draw_all(s.path()).unwrap();
    check_plots(s.path(), &base_stems());
}

#[test]
fn redraw_replaces_stale_plots() {
    let s = Scratch::of("single");
    let plots_dir = s.path().join("plots");
    fs::create_dir_all(&plots_dir).unwrap();
    fs::write(plots_dir.join("sweep_old_vs_gone.png"), b"stale").unwrap();
    plots::draw_all(s.path()).unwrap();
    plots::draw_all(s.path()).unwrap();
    assert!(!plots_dir.join("sweep_old_vs_gone.png").exists());
    check_plots(s.path(), &base_stems());
}

#[test]
fn report_is_self_contained() {
    let s = Scratch::of("sweep");
    plots::draw_all(s.path()).unwrap();
    report::write_report(s.path()).unwrap();
    let html = fs::read_to_string(s.path().join("report.html")).unwrap();
    // The name and description are escaped, never passed through as markup.
    assert!(html.contains("<h1>fixture: flooding &lt;TTL 4&gt; &amp; a central server</h1>"));
    assert!(html.contains("&lt;b&gt;Not&lt;/b&gt; HTML &amp; must be escaped"));
    assert!(!html.contains("<b>"));
    let stems = sweep_stems(4, &SWEEP_KEYS);
    for stem in &stems {
        let id = stem.replace('/', "-");
        assert!(
            html.contains(&format!("<figure id=\"{id}\">")),
            "{id} missing"
        );
    }
    assert_eq!(html.matches("data:image/png;base64,").count(), stems.len());
    // A section per point, the first ones open, the others collapsed.
    assert!(html.contains("<details id=\"point-0\" open>"));
    assert!(html.contains("<details id=\"point-3\"><summary>Point 3: "));
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(!html.contains("<script") && !html.contains("<link"));
    // Summary table: every point x strategy, with mean ± ci.
    assert_eq!(html.matches("<tr><td class=\"n\">").count(), 8);
    assert!(html.contains(" ± "));
    assert!(html.contains("<pre>gnutsim_version = &quot;0.1.0&quot;"));
}

#[test]
fn report_of_a_single_replication_shows_undefined_cells() {
    let s = Scratch::of("single");
    plots::draw_all(s.path()).unwrap();
    report::write_report(s.path()).unwrap();
    let html = fs::read_to_string(s.path().join("report.html")).unwrap();
    assert!(html.contains("fixture: one replication, no sweep"));
    assert!(html.contains("title=\"undefined\""));
    assert_eq!(html.matches("data:image/png;base64,").count(), 9);
}

#[test]
fn report_without_plots_says_how_to_draw_them() {
    let s = Scratch::of("single");
    report::write_report(s.path()).unwrap();
    let html = fs::read_to_string(s.path().join("report.html")).unwrap();
    assert!(html.contains("gnutsim plot"));
}

#[test]
fn missing_required_file_is_named() {
    for file in ["summary.csv", "runs.csv", "lorenz.csv", "timeseries.csv"] {
        let s = Scratch::of("single");
        fs::remove_file(s.path().join(file)).unwrap();
        let e = plots::draw_all(s.path()).unwrap_err();
        assert!(format!("{e:#}").contains(file), "{file}: {e:#}");
    }
}

#[test]
fn odd_csv_content_is_an_error_not_a_panic() {
    let s = Scratch::of("single");
    let path = s.path().join("summary.csv");
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[1] = lines[1].replacen(",1,", ",one,", 1);
    fs::write(&path, lines.join("\n")).unwrap();
    let e = plots::draw_all(s.path()).unwrap_err();
    let msg = format!("{e:#}");
    assert!(
        msg.contains("summary.csv") && msg.contains("replications"),
        "{msg}"
    );

    let s = Scratch::of("single");
    fs::write(
        s.path().join("timeseries.csv"),
        "point,replication\n0,0,extra\n",
    )
    .unwrap();
    let e = plots::draw_all(s.path()).unwrap_err();
    assert!(format!("{e:#}").contains("timeseries.csv"), "{e:#}");

    let s = Scratch::of("single");
    fs::write(s.path().join("summary.csv"), "").unwrap();
    assert!(plots::draw_all(s.path()).is_err());
}

#[test]
fn empty_cells_and_missing_rows_still_draw() {
    let s = Scratch::of("single");
    // A timeseries with no rows at all, and a Lorenz file with only its header.
    fs::write(
        s.path().join("timeseries.csv"),
        "point,replication,strategy,t_s,online_peers,queries,successes,messages,load_max\n",
    )
    .unwrap();
    fs::write(
        s.path().join("lorenz.csv"),
        "point,replication,strategy,peer_share,load_share\n",
    )
    .unwrap();
    plots::draw_all(s.path()).unwrap();
    check_plots(s.path(), &base_stems());
}

/// Inserts a swept-key column `key` = `value` after `point` in every row of `file`.
fn add_key_column(dir: &Path, file: &str, key: &str, value: &str) {
    let path = dir.join(file);
    let text = fs::read_to_string(&path).unwrap();
    let out: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let (point, rest) = line.split_once(',').unwrap();
            let cell = if i == 0 { key } else { value };
            format!("{point},{cell},{rest}")
        })
        .collect();
    fs::write(&path, out.join("\n") + "\n").unwrap();
}

#[test]
fn a_key_swept_over_one_value_gets_no_plot() {
    let s = Scratch::of("single");
    for file in ["summary.csv", "runs.csv"] {
        add_key_column(s.path(), file, "network.peers", "200");
    }
    plots::draw_all(s.path()).unwrap();
    // Still a sweep (its point in point-0/), but no plot against a key that never changes.
    check_plots(s.path(), &sweep_stems(1, &[]));
}

#[test]
fn scenario_file_is_optional() {
    let s = Scratch::of("single");
    fs::write(s.path().join("scenario.toml"), "this is [not toml").unwrap();
    plots::draw_all(s.path()).unwrap();
    report::write_report(s.path()).unwrap();
    let html = fs::read_to_string(s.path().join("report.html")).unwrap();
    assert!(html.contains("<pre>this is [not toml</pre>"));

    let s = Scratch::of("single");
    fs::remove_file(s.path().join("scenario.toml")).unwrap();
    plots::draw_all(s.path()).unwrap();
    report::write_report(s.path()).unwrap();
    let html = fs::read_to_string(s.path().join("report.html")).unwrap();
    assert!(html.contains("<h1>gnutsim results</h1>"));
}
