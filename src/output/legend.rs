//! Where a figure's legend goes and how it is drawn. A legend never covers data: it sits in the plot's empty
//! top-left corner when the figure says that corner is free (Lorenz curves), in a narrow panel on the right
//! when its labels are short, and otherwise in rows under the plot, so long labels take height, not the
//! plot's width.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::chart::{Dash, Figure, LegendEntry, Style, WIDTH};
use super::draw::{Look, draw_marker, err, fitting, line_style, put};
use super::text;

pub const LEGEND_SIZE: f64 = 15.0;
const ROW: i32 = 26;
/// Room before a label: the line sample (or swatch) and a gap.
const SAMPLE: i32 = 62;
/// Widest legend kept in a panel beside the plot; wider ones go below it.
const MAX_PANEL: u32 = 260;

/// Where the legend of a figure goes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Place {
    None,
    /// Inside the plot, at its top-left corner.
    Inside,
    /// A panel this wide on the right.
    Right(u32),
    /// Rows under the plot: (columns, rows).
    Below(usize, usize),
}

/// Width of one legend column (sample, label, margins).
pub fn column_width(legend: &[LegendEntry]) -> u32 {
    let widest = legend
        .iter()
        .map(|e| text::width(&e.label, LEGEND_SIZE, e.is_heading()))
        .max()
        .unwrap_or(0);
    widest + SAMPLE as u32 + 22
}

/// Where `fig`'s legend goes.
pub fn place(fig: &Figure) -> Place {
    if fig.legend_inside && !fig.legend.is_empty() {
        return Place::Inside;
    }
    place_outside(&fig.legend)
}

/// Where a legend of `legend` goes when not inside the plot: a panel on the right if narrow, else rows below.
fn place_outside(legend: &[LegendEntry]) -> Place {
    if legend.is_empty() {
        return Place::None;
    }
    let w = column_width(legend);
    if w <= MAX_PANEL && legend.len() <= 14 {
        return Place::Right(w);
    }
    let room = WIDTH - 60;
    let cols = ((room / w.min(room)) as usize).clamp(1, legend.len());
    // Fewest rows, then as even a spread as that allows.
    let rows = legend.len().div_ceil(cols);
    let cols = legend.len().div_ceil(rows);
    Place::Below(cols, rows)
}

/// Height the legend takes under the plot (0 unless it goes there).
pub fn height_below(place: Place) -> u32 {
    match place {
        Place::Below(_, rows) => rows as u32 * ROW as u32 + 14,
        _ => 0,
    }
}

/// Approximate pixel width of the plotting area once a legend of `legend` is placed outside the plot (to
/// space ticks before the figure is built).
pub fn plot_width(legend: &[LegendEntry]) -> f64 {
    let panel = match place_outside(legend) {
        Place::Right(w) => w,
        _ => 0,
    };
    f64::from(WIDTH - panel) - 140.0
}

/// Draws the legend in a framed box of `cols` columns of `col_w` pixels, its top-left corner at `(x0, y0)`.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x0, y0): (i32, i32),
    (cols, col_w): (usize, u32),
    entries: &[LegendEntry],
) -> anyhow::Result<()> {
    let rows = entries.len().div_ceil(cols.max(1)) as i32;
    let top = y0 + 8;
    // One type size for every row: the largest at which each label fits beside its sample.
    let room = (col_w as i32 - SAMPLE - 18).max(40) as u32;
    let size = entries
        .iter()
        .map(|e| fitting(&e.label, LEGEND_SIZE, e.is_heading(), room))
        .fold(LEGEND_SIZE, f64::min);
    let frame = [
        (x0, y0),
        (x0 + cols as i32 * col_w as i32 - 10, top + rows * ROW + 4),
    ];
    root.draw(&Rectangle::new(frame, WHITE.filled()))
        .map_err(err)?;
    root.draw(&Rectangle::new(
        frame,
        RGBColor(200, 200, 200).stroke_width(1),
    ))
    .map_err(err)?;
    for (i, e) in entries.iter().enumerate() {
        // Column-major, as text reads: down the first column, then the next.
        let (c, r) = (i as i32 / rows, i as i32 % rows);
        let x = x0 + c * col_w as i32;
        let y = top + r * ROW + ROW / 2 - 2;
        let text_x = if let Some(st) = e.style {
            draw_sample(root, st, (x + 10, y))?;
            x + SAMPLE
        } else if let Some(colour) = e.swatch {
            let bx = [(x + 12, y - 8), (x + 48, y + 8)];
            root.draw(&Rectangle::new(bx, colour.filled()))
                .map_err(err)?;
            x + SAMPLE
        } else {
            x + 10
        };
        let mut look = Look::new(size, BLACK).anchor(HPos::Left, VPos::Center);
        look.bold = e.is_heading();
        put(root, &e.label, (text_x, y), &look)?;
    }
    Ok(())
}

/// A short stretch of line starting at pixel `(x, y)`, with the series' marker in its middle.
fn draw_sample<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    st: Style,
    (x, y): (i32, i32),
) -> anyhow::Result<()> {
    if st.width > 0 {
        let pts = vec![(x, y), (x + 40, y)];
        let line = line_style(st);
        match st.dash {
            Dash::Solid => root.draw(&PathElement::new(pts, line)),
            Dash::Dashed => root.draw(&DashedPathElement::new(pts, 10, 6, line)),
            Dash::Dotted => root.draw(&DashedPathElement::new(pts, 3, 4, line)),
        }
        .map_err(err)?;
    }
    if let Some(m) = st.marker {
        draw_marker(root, (x + 20, y), m, st.color, false)?;
    }
    Ok(())
}
