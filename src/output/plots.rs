//! Plots of a results folder, drawn from its CSV files alone (PNG and SVG, with an embedded font).
//! (Stub: to be implemented.)

use std::path::Path;

/// Draws every plot of the results folder `dir` into `dir/plots/`.
pub fn draw_all(_dir: &Path) -> anyhow::Result<()> {
    Ok(())
}
