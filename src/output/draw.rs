//! Draws a [`Figure`] as an SVG document with plotters' SVG backend: plotters draws the grid, axes, data and
//! text elements; the layout (title block, tick labels, legend place) is ours, measured with [`text::width`].
//! The PNG is this SVG rasterised ([`super::png`]), so there is one drawing path.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::FontTransform;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::chart::{Axis, BAND, Dash, Figure, Marker, Series, Style, WIDTH};
use super::legend::{self, Place};
use super::text;
use super::ticks::TICK_SIZE;

const TITLE_SIZE: f64 = 24.0;
const SUBTITLE_SIZE: f64 = 16.0;
const AXIS_SIZE: f64 = 18.0;
const TICK_COLOR: RGBColor = RGBColor(40, 40, 40);

/// The SVG document of `fig`.
pub fn svg(fig: &Figure) -> anyhow::Result<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, fig.height)).into_drawing_area();
        draw(&root, fig)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}

pub fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("cannot draw a plot: {e}")
}

/// How a piece of text is drawn: size (em, px), weight, colour, which point of its box sits at the anchor,
/// and whether it runs bottom to top (y-axis titles).
#[derive(Clone, Copy)]
pub struct Look {
    pub size: f64,
    pub bold: bool,
    pub color: RGBColor,
    pub h: HPos,
    pub v: VPos,
    pub vertical: bool,
}

impl Look {
    pub fn new(size: f64, color: RGBColor) -> Self {
        Self {
            size,
            bold: false,
            color,
            h: HPos::Left,
            v: VPos::Top,
            vertical: false,
        }
    }

    pub fn anchor(mut self, h: HPos, v: VPos) -> Self {
        self.h = h;
        self.v = v;
        self
    }
}

/// Draws `text` as an SVG `<text>` with its anchor at pixel `at`.
pub fn put<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    at: (i32, i32),
    look: &Look,
) -> anyhow::Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    let weight = if look.bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    // plotters writes font-size = size / 1.24 into the SVG; undo that so `size` is the em size.
    let mut style = FontDesc::new(FontFamily::Name(text::SVG_FAMILY), look.size * 1.24, weight)
        .color(&look.color)
        .pos(Pos::new(look.h, look.v));
    if look.vertical {
        style = style.transform(FontTransform::Rotate270);
    }
    root.draw_text(text, &style, at).map_err(err)
}

/// The largest size not above `size` at which `text` fits in `width` pixels (down to 11 px).
pub fn fitting(text: &str, size: f64, bold: bool, width: u32) -> f64 {
    let mut s = size;
    while s > 11.0 && text::width(text, s, bold) > width {
        s -= 1.0;
    }
    s
}

/// Splits `text` at spaces into lines no wider than `width` at `size` (a single long word stays whole).
fn wrap(text: &str, size: f64, width: u32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        let candidate = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if !cur.is_empty() && text::width(&candidate, size, false) > width {
            lines.push(std::mem::replace(&mut cur, word.to_string()));
        } else {
            cur = candidate;
        }
    }
    lines.push(cur);
    lines
}

/// Titles, then the chart, then the legend where [`legend::place`] puts it.
fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, fig: &Figure) -> anyhow::Result<()> {
    root.fill(&WHITE).map_err(err)?;
    let top = draw_titles(root, fig)?;
    let place = legend::place(fig);
    let below = legend::height_below(place);
    let (_, body) = root.split_vertically(top);
    let (body, _) = body.split_vertically(fig.height - top - below);
    let panel = match place {
        Place::Right(w) => w,
        _ => 0,
    };
    let (plot, panel_area) = body.split_horizontally(WIDTH - panel);
    let (corner, plot_x) = draw_chart(root, &plot, fig)?;
    match place {
        Place::None => {}
        Place::Inside => {
            let w = legend::column_width(&fig.legend);
            legend::draw(root, (corner.0 + 10, corner.1 + 4), (1, w), &fig.legend)?;
        }
        Place::Right(w) => {
            let (xs, ys) = panel_area.get_pixel_range();
            legend::draw(root, (xs.start, ys.start + 8), (1, w), &fig.legend)?;
        }
        Place::Below(cols, _) => {
            let w = legend::column_width(&fig.legend);
            let total = cols as i32 * w as i32;
            let mid = (plot_x.0 + plot_x.1) / 2;
            let x0 = (mid - total / 2).clamp(10, (WIDTH as i32 - total - 10).max(10));
            legend::draw(
                root,
                (x0, (fig.height - below) as i32),
                (cols, w),
                &fig.legend,
            )?;
        }
    }
    Ok(())
}

/// Title and subtitle lines, centred; returns the height they take.
fn draw_titles<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
) -> anyhow::Result<u32> {
    let width = WIDTH - 40;
    let cx = WIDTH as i32 / 2;
    let size = fitting(&fig.title, TITLE_SIZE, true, width);
    let mut look = Look::new(size, BLACK).anchor(HPos::Center, VPos::Top);
    look.bold = true;
    put(root, &fig.title, (cx, 14), &look)?;
    let mut y = 14 + (size * 1.2) as i32 + 6;
    for line in fig
        .subtitle
        .iter()
        .flat_map(|l| wrap(l, SUBTITLE_SIZE, width))
    {
        let size = fitting(&line, SUBTITLE_SIZE, false, width);
        let look = Look::new(size, RGBColor(70, 70, 70)).anchor(HPos::Center, VPos::Top);
        put(root, &line, (cx, y), &look)?;
        y += (size * 1.2) as i32 + 4;
    }
    Ok((y + 10) as u32)
}

/// Draws the axes, data and their text; returns the top-left pixel of the plotting area and its x range.
fn draw_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    fig: &Figure,
) -> anyhow::Result<((i32, i32), (i32, i32))> {
    let y_tick_w = fig
        .y
        .ticks
        .iter()
        .map(|(_, l)| text::width(l, TICK_SIZE, false))
        .max()
        .unwrap_or(0) as i32;
    let axis_title_h = (AXIS_SIZE * 1.2) as i32;
    let y_area = y_tick_w + axis_title_h + 24;
    let (aw, _) = area.dim_in_pixel();
    let layout = x_tick_layout(&fig.x, f64::from(aw as i32 - 14 - 28 - y_area));
    let ticks_h = layout.rows * (layout.size * 1.25) as i32;
    let mut chart = ChartBuilder::on(area)
        .margin_top(8)
        .margin_bottom(12)
        .margin_left(14)
        .margin_right(28)
        .x_label_area_size(ticks_h + axis_title_h + 26)
        .y_label_area_size(y_area)
        .build_cartesian_2d(Ticked::of(&fig.x), Ticked::of(&fig.y))
        .map_err(err)?;
    // plotters draws grid lines, axes and tick marks; its own labels are invisible (ours are set below).
    let hidden = FontDesc::new(
        FontFamily::Name(text::PLOTTERS_FAMILY),
        TICK_SIZE,
        FontStyle::Normal,
    )
    .color(&TRANSPARENT);
    chart
        .configure_mesh()
        .x_labels(fig.x.ticks.len().max(1))
        .y_labels(fig.y.ticks.len().max(1))
        .label_style(hidden)
        .bold_line_style(RGBColor(215, 215, 215))
        .light_line_style(RGBColor(238, 238, 238))
        .axis_style(RGBColor(90, 90, 90))
        .draw()
        .map_err(err)?;
    for band in &fig.bands {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(band.x0, fig.y.lo), (band.x1, fig.y.hi)],
                BAND.filled(),
            )))
            .map_err(err)?;
    }
    draw_all_series(root, &mut chart, fig)?;

    let (xs, ys) = chart.plotting_area().get_pixel_range();
    draw_ticks(root, &chart, fig, &layout, (xs.start, ys.end))?;
    let x_title = Look::new(AXIS_SIZE, BLACK).anchor(HPos::Center, VPos::Bottom);
    let (ax, _) = area.get_pixel_range();
    let x_at = (
        (xs.start + xs.end) / 2,
        ys.end + ticks_h + axis_title_h + 24,
    );
    put(root, &fig.x.label, x_at, &x_title)?;
    let mut y_title = Look::new(AXIS_SIZE, BLACK).anchor(HPos::Center, VPos::Top);
    y_title.vertical = true;
    put(
        root,
        &fig.y.label,
        (ax.start + 14, (ys.start + ys.end) / 2),
        &y_title,
    )?;
    for note in &fig.notes {
        let (x, y) = chart.backend_coord(&note.at);
        let w = text::width(&note.text, TICK_SIZE, false) as i32;
        // Left end of the text, kept inside the plotting area.
        let left = x + note.dx - if note.centred { w / 2 } else { 0 };
        let left = left.min(xs.end - 4 - w).max(xs.start + 4);
        let look = Look::new(TICK_SIZE, RGBColor(70, 70, 70)).anchor(HPos::Left, VPos::Center);
        put(root, &note.text, (left, y + note.dy), &look)?;
    }
    Ok(((xs.start, ys.start), (xs.start, xs.end)))
}

/// How the x tick labels are set: type size, and one row or two (alternate labels one row lower).
struct XLayout {
    size: f64,
    rows: i32,
}

/// The largest type that keeps neighbouring x tick labels 10 px apart on an axis `px` pixels long; else
/// the labels staggered on two rows; else the smallest type (and labels that still touch are skipped).
fn x_tick_layout(axis: &Axis, px: f64) -> XLayout {
    let mut ticks: Vec<(f64, &str)> = axis
        .ticks
        .iter()
        .filter(|(v, _)| *v >= axis.lo && *v <= axis.hi)
        .map(|(v, l)| ((v - axis.lo) / axis.span() * px, l.as_str()))
        .collect();
    ticks.sort_by(|a, b| a.0.total_cmp(&b.0));
    let fits = |size: f64, step: usize| {
        (step..ticks.len()).all(|i| {
            let (a, b) = (ticks[i - step], ticks[i]);
            let half = |l: &str| f64::from(text::width(l, size, false)) / 2.0;
            b.0 - a.0 >= half(a.1) + half(b.1) + 10.0
        })
    };
    for size in [15.0, 14.0, 13.0, 12.0] {
        if fits(size, 1) {
            return XLayout { size, rows: 1 };
        }
    }
    for size in [14.0, 13.0, 12.0, 11.0] {
        if fits(size, 2) {
            return XLayout { size, rows: 2 };
        }
    }
    XLayout {
        size: 11.0,
        rows: 1,
    }
}

/// Tick labels below the x axis as `layout` says (a label that would still touch the previous one in its row
/// is skipped), and left of the y axis.
fn draw_ticks<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart<DB>,
    fig: &Figure,
    layout: &XLayout,
    (left, bottom): (i32, i32),
) -> anyhow::Result<()> {
    let mut ticks: Vec<(i32, &str)> = fig
        .x
        .ticks
        .iter()
        .filter(|(v, _)| *v >= fig.x.lo && *v <= fig.x.hi)
        .map(|(v, l)| (chart.backend_coord(&(*v, fig.y.lo)).0, l.as_str()))
        .collect();
    ticks.sort_by_key(|t| t.0);
    let below = Look::new(layout.size, TICK_COLOR).anchor(HPos::Center, VPos::Top);
    let line = (layout.size * 1.25) as i32;
    let mut right_edge = vec![i32::MIN; layout.rows as usize];
    for (i, (x, label)) in ticks.into_iter().enumerate() {
        let row = i % layout.rows as usize;
        let half = text::width(label, layout.size, false) as i32 / 2;
        if x - half < right_edge[row] + 10 {
            continue;
        }
        let y = bottom + 8 + row as i32 * line;
        put(root, label, (x, y), &below)?;
        right_edge[row] = x + half;
    }
    let beside = Look::new(TICK_SIZE, TICK_COLOR).anchor(HPos::Right, VPos::Center);
    for (v, label) in &fig.y.ticks {
        if *v < fig.y.lo || *v > fig.y.hi {
            continue;
        }
        let (_, y) = chart.backend_coord(&(fig.x.lo, *v));
        put(root, label, (left - 9, y), &beside)?;
    }
    Ok(())
}

/// A linear plotters axis whose grid lines are exactly our ticks (bold) and minor ticks (light).
#[derive(Clone)]
struct Ticked {
    lo: f64,
    hi: f64,
    bold: Vec<f64>,
    light: Vec<f64>,
}

impl Ticked {
    fn of(axis: &Axis) -> Self {
        let inside = |v: &f64| *v >= axis.lo && *v <= axis.hi;
        Self {
            lo: axis.lo,
            hi: axis.hi,
            bold: axis.ticks.iter().map(|t| t.0).filter(inside).collect(),
            light: axis.minor.iter().copied().filter(inside).collect(),
        }
    }
}

impl Ranged for Ticked {
    type ValueType = f64;
    type FormatOption = DefaultFormatting;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let f = if self.hi > self.lo {
            (v - self.lo) / (self.hi - self.lo)
        } else {
            0.5
        };
        limit.0 + (f64::from(limit.1 - limit.0) * f + 1e-3).floor() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.bold.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// Opacity of a series' shaded areas: light enough for overlapping bands and the lines over them to show.
const AREA_OPACITY: f64 = 0.18;

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Ticked, Ticked>>;

pub fn line_style(st: Style) -> ShapeStyle {
    ShapeStyle {
        color: st.color.to_rgba(),
        filled: false,
        stroke_width: st.width,
    }
}

/// Shaded areas of every series first, then lines, then error bars, then markers, so nothing hides a line or a
/// marker.
fn draw_all_series<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut Chart<DB>,
    fig: &Figure,
) -> anyhow::Result<()> {
    for s in &fig.series {
        for area in &s.areas {
            chart
                .draw_series(std::iter::once(Polygon::new(
                    area.clone(),
                    s.style.color.mix(AREA_OPACITY).filled(),
                )))
                .map_err(err)?;
        }
    }
    for s in &fig.series {
        draw_lines(chart, s)?;
    }
    for s in &fig.series {
        draw_error_bars(chart, s)?;
    }
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    for s in &fig.series {
        if let Some(m) = s.style.marker {
            for p in &s.markers {
                let at = chart.backend_coord(p);
                if xs.contains(&at.0) && (ys.start..=ys.end).contains(&at.1) {
                    draw_marker(root, at, m, s.style.color, true)?;
                }
            }
        }
    }
    Ok(())
}

fn draw_lines<DB: DrawingBackend>(chart: &mut Chart<DB>, s: &Series) -> anyhow::Result<()> {
    let line = line_style(s.style);
    for seg in &s.lines {
        let pts = seg.iter().copied();
        match s.style.dash {
            Dash::Solid => chart.draw_series(LineSeries::new(pts, line)).map(|_| ()),
            Dash::Dashed => chart
                .draw_series(DashedLineSeries::new(pts, 10, 6, line))
                .map(|_| ()),
            Dash::Dotted => chart
                .draw_series(DashedLineSeries::new(pts, 3, 4, line))
                .map(|_| ()),
        }
        .map_err(err)?;
    }
    Ok(())
}

fn draw_error_bars<DB: DrawingBackend>(chart: &mut Chart<DB>, s: &Series) -> anyhow::Result<()> {
    let bar = ShapeStyle {
        color: s.style.color.to_rgba(),
        filled: false,
        stroke_width: 2,
    };
    for &(from, to) in &s.errors {
        chart
            .draw_series(std::iter::once(PathElement::new(vec![from, to], bar)))
            .map_err(err)?;
        let vertical = (from.0 - to.0).abs() <= (from.1 - to.1).abs();
        let cap: Vec<(i32, i32)> = if vertical {
            vec![(-6, 0), (6, 0)]
        } else {
            vec![(0, -6), (0, 6)]
        };
        for end in [from, to] {
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at(end) + PathElement::new(cap.clone(), bar),
                ))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// Corners of a polygon marker around (0, 0), in pixels.
fn marker_shape(m: Marker) -> Vec<(i32, i32)> {
    match m {
        Marker::Circle => Vec::new(),
        Marker::Square => vec![(-5, -5), (5, -5), (5, 5), (-5, 5)],
        Marker::Triangle => vec![(0, -7), (7, 5), (-7, 5)],
        Marker::Diamond => vec![(0, -7), (7, 0), (0, 7), (-7, 0)],
    }
}

/// A filled marker centred on pixel `at`, with a thin white outline when `outline` (so markers stay apart
/// where they overlap).
pub fn draw_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    m: Marker,
    color: RGBColor,
    outline: bool,
) -> anyhow::Result<()> {
    let edge = WHITE.stroke_width(1);
    if m == Marker::Circle {
        root.draw(&Circle::new(at, 6, color.filled()))
            .map_err(err)?;
        if outline {
            root.draw(&Circle::new(at, 6, edge)).map_err(err)?;
        }
        return Ok(());
    }
    let pts: Vec<(i32, i32)> = marker_shape(m)
        .iter()
        .map(|(dx, dy)| (at.0 + dx, at.1 + dy))
        .collect();
    root.draw(&Polygon::new(pts.clone(), color.filled()))
        .map_err(err)?;
    if outline {
        let mut ring = pts.clone();
        ring.push(pts[0]);
        root.draw(&PathElement::new(ring, edge)).map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap() {
        text::ensure().unwrap();
        let t = "word ".repeat(60);
        let lines = wrap(t.trim(), 16.0, 300);
        assert!(lines.len() > 3);
        assert!(lines.iter().all(|l| text::width(l, 16.0, false) <= 300));
        assert_eq!(wrap("short", 16.0, 300), ["short"]);
    }
}
