//! report.html: one self-contained page per results folder (description, resolved scenario, summary table,
//! every plot), readable offline. (Stub: to be implemented.)

use std::path::Path;

/// Writes `dir/report.html` from the folder's files.
pub fn write_report(_dir: &Path) -> anyhow::Result<()> {
    Ok(())
}
