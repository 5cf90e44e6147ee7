//! Results folders: CSV tables ([`tables`]) and the resolved scenario, written into a temporary folder beside
//! the target and renamed into place only when complete, so an interrupted or failed run leaves the previous
//! folder as it was.

pub mod chart;
pub mod font;
pub mod format;
pub mod plots;
pub mod raster;
pub mod read;
pub mod report;
pub mod tables;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::runner::{Plan, RunResult};
use crate::scenario::resolved;

/// Every file of a results folder, as (name, bytes).
pub fn render(plan: &Plan, results: &[RunResult]) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        ("runs.csv".to_string(), tables::runs_csv(plan, results)),
        (
            "summary.csv".to_string(),
            tables::summary_csv(plan, results),
        ),
        (
            "timeseries.csv".to_string(),
            tables::timeseries_csv(results),
        ),
        ("lorenz.csv".to_string(), tables::lorenz_csv(results)),
        ("timing.csv".to_string(), tables::timing_csv(results)),
        (
            "scenario.toml".to_string(),
            resolved::to_toml(&plan.base).into_bytes(),
        ),
    ];
    if plan.base.output.queries {
        files.push(("queries.csv".to_string(), tables::queries_csv(results)));
    }
    files
}

/// Writes `files` as the folder `dir`, replacing any previous one only once everything is written.
pub fn write_folder(dir: &Path, files: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
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
    let _ = fs::remove_dir_all(&tmp);
    let result = (|| -> anyhow::Result<()> {
        fs::create_dir(&tmp)
            .with_context(|| format!("cannot create the folder {}", tmp.display()))?;
        for (file, bytes) in files {
            let path = tmp.join(file);
            if let Some(p) = path.parent() {
                fs::create_dir_all(p)?;
            }
            fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        }
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
    result
}

/// Default results folder of a scenario file: results/<file stem>/.
pub fn default_dir(scenario_file: &Path) -> PathBuf {
    let stem = scenario_file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    PathBuf::from("results").join(stem)
}
