//! Results folders: CSV tables ([`tables`]) and the resolved scenario, written into a temporary folder beside
//! the target and renamed into place only when complete, so an interrupted or failed run leaves the previous
//! folder as it was.

pub mod chart;
pub mod draw;
pub mod gallery;
pub mod legend;
pub mod manifest;
pub mod merge;
pub mod plots;
pub mod png;
pub mod read;
pub mod report;
pub mod tables;
pub mod text;
pub mod ticks;
pub mod trace;
pub mod trace_html;
pub mod trace_report;
pub mod validation;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, bail};

use crate::results::run::RunResult;
use crate::scenario::resolved;
use crate::scenario::sweep::Plan;

/// Every file of a results folder, as (name, bytes).
pub fn render(plan: &Plan, results: &[RunResult]) -> Vec<(String, Vec<u8>)> {
    let runs = tables::runs_table(plan, results);
    let mut files = vec![
        ("runs.csv".to_string(), runs.to_csv()),
        (
            "summary.csv".to_string(),
            tables::summary_table(&runs).to_csv(),
        ),
        (
            "timeseries.csv".to_string(),
            tables::timeseries_csv(plan, results),
        ),
        ("lorenz.csv".to_string(), tables::lorenz_csv(plan, results)),
        ("timing.csv".to_string(), tables::timing_csv(results)),
        (
            "content.csv".to_string(),
            tables::content_csv(plan, results),
        ),
        (
            "scenario.toml".to_string(),
            resolved_plan(plan).into_bytes(),
        ),
    ];
    if let Some(coverage) = tables::coverage_csv(plan, results) {
        files.push(("coverage.csv".to_string(), coverage));
    }
    if plan.base.output.queries {
        files.push((
            "queries.csv".to_string(),
            tables::queries_csv(plan, results),
        ));
    }
    files
}

/// The resolved scenario of a plan: the base scenario and its `[sweep]`.
pub fn resolved_plan(plan: &Plan) -> String {
    let mut text = resolved::to_toml(&plan.base);
    if !plan.sweep_toml.is_empty() {
        text.push_str("\n[sweep]\n");
        text.push_str(&plan.sweep_toml);
    }
    text
}

/// Set by the SIGINT/SIGTERM handler.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// True while a results folder is being written (the handler then leaves the cleanup to the writer).
static WRITING: AtomicBool = AtomicBool::new(false);

/// Exit status of a run stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report it).
pub const INTERRUPTED_EXIT: i32 = 130;

/// On SIGINT or SIGTERM: stop at once while simulating (nothing is on disk yet); while a results folder is
/// being written, let the writer remove its temporary folder first. Either way the previous results folder
/// stays exactly as it was.
pub fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        if !WRITING.load(Ordering::SeqCst) {
            std::process::exit(INTERRUPTED_EXIT);
        }
    });
}

/// Called by the writer between steps: on an interrupt, remove the temporary folder and stop.
fn stop_if_interrupted(tmp: &Path) {
    if INTERRUPTED.load(Ordering::SeqCst) {
        let _ = fs::remove_dir_all(tmp);
        std::process::exit(INTERRUPTED_EXIT);
    }
}

/// Writes `files` as the folder `dir`, then lets `finish` add to it (plots, report), and replaces any previous
/// folder only once everything is written: a failed or interrupted run leaves the previous folder as it was
/// and no temporary folder behind.
pub fn write_folder(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    finish: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        bail!(
            "cannot write results to {}: it exists and is not a folder",
            dir.display()
        );
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create the folder {}", parent.display()))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "results".into());
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.tmp-{pid}"));
    let old = parent.join(format!(".{name}.old-{pid}"));
    // Announce the writing before looking at the interrupt flag: the handler sets the flag before it looks at
    // this one, so one of the two always sees the other (and nothing is left behind).
    WRITING.store(true, Ordering::SeqCst);
    if INTERRUPTED.load(Ordering::SeqCst) {
        std::process::exit(INTERRUPTED_EXIT);
    }
    let _ = fs::remove_dir_all(&tmp);
    let result = (|| -> anyhow::Result<()> {
        fs::create_dir(&tmp)
            .with_context(|| format!("cannot create the folder {}", tmp.display()))?;
        for (file, bytes) in files {
            stop_if_interrupted(&tmp);
            let path = tmp.join(file);
            if let Some(p) = path.parent() {
                fs::create_dir_all(p)?;
            }
            fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        }
        stop_if_interrupted(&tmp);
        finish(&tmp)?;
        stop_if_interrupted(&tmp);
        // From here the two renames complete even if interrupted.
        if dir.exists() {
            fs::rename(dir, &old).with_context(|| {
                format!("cannot move the previous results {} aside", dir.display())
            })?;
        }
        if let Err(e) = fs::rename(&tmp, dir) {
            // Put the previous folder back.
            let _ = fs::rename(&old, dir);
            return Err(e)
                .with_context(|| format!("cannot rename the results into {}", dir.display()));
        }
        let _ = fs::remove_dir_all(&old);
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    WRITING.store(false, Ordering::SeqCst);
    if INTERRUPTED.load(Ordering::SeqCst) {
        std::process::exit(INTERRUPTED_EXIT);
    }
    result
}

/// Draws the plots and the report of a results folder (after every run and merge, and by `gnutsim plot`),
/// after recomputing summary.csv from runs.csv: runs.csv is the one source, so an edited runs.csv (a bad
/// replication dropped) shows in the summary, the plots and the report alike.
/// A folder without runs (an empty shard: more shards than (point, replication) slices) gets no plots and a
/// report that says so.
pub fn draw(dir: &Path) -> anyhow::Result<()> {
    let runs = merge::read_table(&dir.join("runs.csv"))?;
    let table = tables::summary_table(&runs);
    if table.header.is_empty() {
        bail!(
            "{}: runs.csv needs the columns point, replication and strategy, with the swept keys (if any) \
             between point and replication",
            dir.display()
        );
    }
    let summary = dir.join("summary.csv");
    fs::write(&summary, table.to_csv())
        .with_context(|| format!("cannot write {}", summary.display()))?;
    if runs.rows.is_empty() {
        let path = dir.join("report.html");
        return fs::write(&path, report::empty_page(dir))
            .with_context(|| format!("cannot write {}", path.display()));
    }
    plots::draw_all(dir)?;
    report::write_report(dir)
}

/// Default results folder of a scenario file: results/<file stem>/.
pub fn default_dir(scenario_file: &Path) -> PathBuf {
    let stem = scenario_file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    PathBuf::from("results").join(stem)
}
