//! A small figure model (axes with explicit ticks, line/marker series, error bars, a legend panel) and one
//! renderer for both PNG and SVG. Figures are described in plot units: a log axis holds log10 of the data,
//! so every chart is a plain linear plotters chart with ticks we chose, and the legend sits in its own panel
//! beside the plot where it can never cover data.

use std::path::Path;

use anyhow::anyhow;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::font::{self, Look, Mode};
use super::raster;

/// Pixel size of every plot.
pub const WIDTH: u32 = 1000;
pub const HEIGHT: u32 = 700;

const TITLE_SIZE: f64 = 24.0;
const SUBTITLE_SIZE: f64 = 16.0;
const AXIS_SIZE: f64 = 18.0;
const TICK_SIZE: f64 = 15.0;
const LEGEND_SIZE: f64 = 15.0;
const LEGEND_ROW: i32 = 26;

/// Colour-blind-safe palette (Okabe & Ito), most distinct first; yellow left out (unreadable on white).
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

pub const PALETTE_LEN: usize = PALETTE.len();

/// The colour of the `i`-th strategy, the same in every plot.
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

pub const GREY: RGBColor = RGBColor(110, 110, 110);

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
}

/// Marker shapes in the order series get them.
pub const MARKERS: [Marker; 4] = [
    Marker::Circle,
    Marker::Square,
    Marker::Triangle,
    Marker::Diamond,
];

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dash {
    Solid,
    Dashed,
    Dotted,
}

/// Dash patterns in the order series get them.
pub const DASHES: [Dash; 3] = [Dash::Solid, Dash::Dashed, Dash::Dotted];

/// How one series is drawn.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: RGBColor,
    pub dash: Dash,
    pub width: u32,
    pub marker: Option<Marker>,
}

impl Style {
    pub fn line(color: RGBColor, dash: Dash) -> Self {
        Self {
            color,
            dash,
            width: 2,
            marker: None,
        }
    }

    pub fn with_marker(mut self, marker: Marker) -> Self {
        self.marker = Some(marker);
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    Linear,
    Log,
}

/// One axis, in plot units (log10 of the data on a log axis).
#[derive(Clone, Debug)]
pub struct Axis {
    pub label: String,
    pub lo: f64,
    pub hi: f64,
    pub scale: Scale,
    /// Labelled ticks, with grid lines.
    pub ticks: Vec<(f64, String)>,
    /// Unlabelled light grid lines.
    pub minor: Vec<f64>,
}

impl Axis {
    /// A data value in plot units; `None` where the axis cannot show it (zero or negative on a log axis).
    pub fn map(&self, v: f64) -> Option<f64> {
        match self.scale {
            Scale::Linear => Some(v),
            Scale::Log if v > 0.0 => Some(v.log10()),
            Scale::Log => None,
        }
    }

    /// Like [`Axis::map`], but a value below the axis is pinned to its low end (for error bars on a log axis).
    pub fn map_clamped(&self, v: f64) -> f64 {
        self.map(v).unwrap_or(self.lo).clamp(self.lo, self.hi)
    }

    pub fn span(&self) -> f64 {
        self.hi - self.lo
    }

    /// A linear axis covering [lo, hi] with about `n` "nice" ticks, padded slightly so markers at the ends
    /// are not cut.
    pub fn linear(label: &str, lo: f64, hi: f64, n: usize) -> Self {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (
                lo - 0.5_f64.max(lo.abs() * 0.1),
                hi + 0.5_f64.max(hi.abs() * 0.1),
            )
        };
        let step = nice_step((hi - lo) / n.max(1) as f64);
        let first = (lo / step + 1e-9).floor() * step;
        let last = (hi / step - 1e-9).ceil() * step;
        let decimals = decimals_for(step);
        let mut ticks = Vec::new();
        let mut k = 0;
        loop {
            let v = first + k as f64 * step;
            if v > last + step * 1e-6 || k > 1000 {
                break;
            }
            ticks.push((v, number(v, decimals)));
            k += 1;
        }
        let pad = (last - first) * 0.025;
        Self {
            label: label.to_string(),
            lo: first - pad,
            hi: last + pad,
            scale: Scale::Linear,
            ticks,
            minor: Vec::new(),
        }
    }

    /// A log axis covering whole decades around [min, max] (both > 0), labelled at decades.
    pub fn log(label: &str, min: f64, max: f64) -> Self {
        let lo = min.log10().floor();
        let hi = max.log10().ceil().max(lo + 1.0);
        let decades = (hi - lo) as i64;
        let every = (decades as f64 / 8.0).ceil().max(1.0) as i64;
        let mut ticks = Vec::new();
        let mut minor = Vec::new();
        for d in lo as i64..=hi as i64 {
            if (d - lo as i64) % every == 0 {
                ticks.push((d as f64, power_of_ten(d)));
            }
            if decades <= 6 && d < hi as i64 {
                for m in 2..10 {
                    minor.push(d as f64 + (m as f64).log10());
                }
            }
        }
        let pad = (hi - lo) * 0.025;
        Self {
            label: label.to_string(),
            lo: lo - pad,
            hi: hi + pad,
            scale: Scale::Log,
            ticks,
            minor,
        }
    }

    /// Categories at 0, 1, ..., n-1, labelled by `names`.
    pub fn categories(label: &str, names: &[String]) -> Self {
        Self {
            label: label.to_string(),
            lo: -0.5,
            hi: names.len().max(1) as f64 - 0.5,
            scale: Scale::Linear,
            ticks: names
                .iter()
                .enumerate()
                .map(|(i, n)| (i as f64, n.clone()))
                .collect(),
            minor: Vec::new(),
        }
    }

    /// Replaces the ticks by the given values (plot units), labelled as data values, when they are few and far
    /// enough apart for their labels (`px` is the axis length in pixels); keeps the current ticks otherwise.
    pub fn ticks_at_values(mut self, values: &[f64], px: f64) -> Self {
        if values.is_empty() || values.len() > 12 {
            return self;
        }
        let labels: Vec<String> = values
            .iter()
            .map(|&v| match self.scale {
                Scale::Linear => short_number(v),
                Scale::Log => short_number(10f64.powf(v)),
            })
            .collect();
        let widest = labels
            .iter()
            .map(|l| text_width(l, TICK_SIZE))
            .max()
            .unwrap_or(0) as f64;
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let min_gap = sorted
            .windows(2)
            .map(|w| w[1] - w[0])
            .fold(f64::INFINITY, f64::min);
        if min_gap.is_finite() && min_gap / self.span() * px < widest + 12.0 {
            return self;
        }
        self.ticks = values.iter().copied().zip(labels).collect();
        self
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if raw.is_nan() || raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn decimals_for(step: f64) -> usize {
    (-(step.log10() + 1e-9).floor()).max(0.0) as usize
}

/// A tick label: fixed decimals, thousands grouped from 10,000 on.
pub fn number(v: f64, decimals: usize) -> String {
    let v = if v.abs() < 1e-12 { 0.0 } else { v };
    let s = format!("{v:.decimals$}");
    if v.abs() >= 10_000.0 { group(&s) } else { s }
}

/// A data value as a short label (swept values): up to 4 significant digits, no trailing zeros.
pub fn short_number(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let mag = v.abs().log10().floor() as i32;
    let decimals = (3 - mag).clamp(0, 8) as usize;
    let mut s = format!("{v:.decimals$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    if v.abs() >= 10_000.0 { group(&s) } else { s }
}

/// Inserts thousands separators into the integer part of a formatted number.
pub fn group(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, ""), |(i, f)| (i, f));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{out}")
    } else {
        format!("{sign}{out}.{frac}")
    }
}

/// 10^d as a label: plain from 0.001 to 10,000, with a superscript exponent beyond.
fn power_of_ten(d: i64) -> String {
    match d {
        -3..=-1 => format!("{}", 10f64.powi(d as i32)),
        0..=4 => group(&format!("{}", 10i64.pow(d as u32))),
        _ => {
            let sup: String = d
                .to_string()
                .chars()
                .map(|c| match c {
                    '-' => '⁻',
                    '0' => '⁰',
                    '1' => '¹',
                    '2' => '²',
                    '3' => '³',
                    '4' => '⁴',
                    '5' => '⁵',
                    '6' => '⁶',
                    '7' => '⁷',
                    '8' => '⁸',
                    _ => '⁹',
                })
                .collect();
            format!("10{sup}")
        }
    }
}

/// Width in pixels of `text` at `size` in the plot font.
pub fn text_width(text: &str, size: f64) -> u32 {
    font::width(text, size, false)
}

/// One series: line segments (broken where a value is undefined), markers and error bars, in plot units.
#[derive(Clone, Debug)]
pub struct Series {
    pub style: Style,
    pub lines: Vec<Vec<(f64, f64)>>,
    pub markers: Vec<(f64, f64)>,
    /// Error bars as (from, to); caps are drawn across the bar.
    pub errors: Vec<((f64, f64), (f64, f64))>,
}

impl Series {
    pub fn new(style: Style) -> Self {
        Self {
            style,
            lines: Vec::new(),
            markers: Vec::new(),
            errors: Vec::new(),
        }
    }
}

/// A legend row: a sample of `style` and its label; a heading when `style` is `None`; a filled box of
/// `swatch` (a shaded band) when that is set.
#[derive(Clone, Debug)]
pub struct LegendEntry {
    pub style: Option<Style>,
    pub swatch: Option<RGBColor>,
    pub label: String,
}

impl LegendEntry {
    pub fn line(style: Style, label: impl Into<String>) -> Self {
        Self {
            style: Some(style),
            swatch: None,
            label: label.into(),
        }
    }

    pub fn heading(label: impl Into<String>) -> Self {
        Self {
            style: None,
            swatch: None,
            label: label.into(),
        }
    }

    pub fn band(color: RGBColor, label: impl Into<String>) -> Self {
        Self {
            style: None,
            swatch: Some(color),
            label: label.into(),
        }
    }

    fn is_heading(&self) -> bool {
        self.style.is_none() && self.swatch.is_none()
    }
}

/// A shaded vertical band (e.g. the warm-up); give it a legend entry with [`LegendEntry::band`] and [`BAND`].
#[derive(Clone, Debug)]
pub struct Band {
    pub x0: f64,
    pub x1: f64,
}

/// The colour of shaded bands.
pub const BAND: RGBColor = RGBColor(232, 232, 232);

/// Text at a point of the plot (plot units), moved by (`dx`, `dy`) pixels, vertically centred there;
/// its left end at that point, or its middle when `centred`.
#[derive(Clone, Debug)]
pub struct Note {
    pub at: (f64, f64),
    pub text: String,
    pub dx: i32,
    pub dy: i32,
    pub centred: bool,
}

impl Note {
    pub fn new(at: (f64, f64), text: impl Into<String>) -> Self {
        Self {
            at,
            text: text.into(),
            dx: 0,
            dy: 0,
            centred: false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Figure {
    pub title: String,
    pub subtitle: Vec<String>,
    pub x: Axis,
    pub y: Axis,
    pub series: Vec<Series>,
    pub legend: Vec<LegendEntry>,
    /// Legend in the plot's top-left corner instead of a panel on the right (for plots that leave it empty).
    pub legend_inside: bool,
    pub bands: Vec<Band>,
    pub notes: Vec<Note>,
}

impl Figure {
    pub fn new(title: &str, x: Axis, y: Axis) -> Self {
        Self {
            title: title.to_string(),
            subtitle: Vec::new(),
            x,
            y,
            series: Vec::new(),
            legend: Vec::new(),
            legend_inside: false,
            bands: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// Approximate pixel width of the plotting area once a legend of `legend` is placed (to space ticks).
pub fn plot_width(legend: &[LegendEntry]) -> f64 {
    WIDTH as f64 - legend_width(legend) as f64 - 140.0
}

/// Width of the legend panel beside the plot (none when the legend is inside).
fn panel_width(fig: &Figure) -> u32 {
    if fig.legend_inside {
        0
    } else {
        legend_width(&fig.legend)
    }
}

/// Writes `stem.png` and `stem.svg` into `dir`.
pub fn save(fig: &Figure, dir: &Path, stem: &str) -> anyhow::Result<()> {
    let png = dir.join(format!("{stem}.png"));
    {
        let root = BitMapBackend::new(&png, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, fig, Mode::Raster)?;
        root.present()
            .map_err(|e| anyhow!("cannot write {}: {e}", png.display()))?;
    }
    let svg = dir.join(format!("{stem}.svg"));
    {
        let root = SVGBackend::new(&svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, fig, Mode::Vector)?;
        root.present()
            .map_err(|e| anyhow!("cannot write {}: {e}", svg.display()))?;
    }
    Ok(())
}

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("cannot draw a plot: {e}")
}

/// The largest size not above `size` at which `text` fits in `width` pixels (down to 11 px).
fn fitting(text: &str, size: f64, bold: bool, width: u32) -> f64 {
    let mut s = size;
    while s > 11.0 && font::width(text, s, bold) > width {
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
        if !cur.is_empty() && font::width(&candidate, size, false) > width {
            lines.push(std::mem::replace(&mut cur, word.to_string()));
        } else {
            cur = candidate;
        }
    }
    lines.push(cur);
    lines
}

/// Width in pixels of the legend box (or panel) for these entries.
pub fn legend_width(legend: &[LegendEntry]) -> u32 {
    if legend.is_empty() {
        return 0;
    }
    let widest = legend
        .iter()
        .map(|e| font::width(&e.label, LEGEND_SIZE, e.is_heading()))
        .max()
        .unwrap_or(0);
    (widest + 84).min(WIDTH * 2 / 5)
}

/// Everything drawn with plotters (grid, axes, data) first, then every piece of text with [`font::put`].
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    mode: Mode,
) -> anyhow::Result<()> {
    root.fill(&WHITE).map_err(err)?;
    let top = draw_titles(root, fig, mode)?;
    let (_, body) = root.split_vertically(top);
    let lw = panel_width(fig);
    let (plot, panel) = body.split_horizontally(WIDTH - lw);
    let corner = draw_chart(root, &plot, fig, mode)?;
    if fig.legend.is_empty() {
        return Ok(());
    }
    if fig.legend_inside {
        let at = (corner.0 + 10, corner.1 - 4);
        draw_legend(root, at, legend_width(&fig.legend), &fig.legend, mode)?;
    } else {
        let (xs, ys) = panel.get_pixel_range();
        draw_legend(root, (xs.start, ys.start), lw, &fig.legend, mode)?;
    }
    Ok(())
}

/// Title and subtitle lines, centred; returns the height they take.
fn draw_titles<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    mode: Mode,
) -> anyhow::Result<u32> {
    let width = WIDTH - 40;
    let cx = WIDTH as i32 / 2;
    let size = fitting(&fig.title, TITLE_SIZE, true, width);
    let look = Look::new(size, BLACK)
        .bold()
        .anchor(HPos::Center, VPos::Top);
    font::put(root, mode, &fig.title, (cx, 14), &look)?;
    let mut y = 14 + (size * 1.2) as i32 + 6;
    for line in fig
        .subtitle
        .iter()
        .flat_map(|l| wrap(l, SUBTITLE_SIZE, width))
    {
        let line = &line;
        let size = fitting(line, SUBTITLE_SIZE, false, width);
        let look = Look::new(size, RGBColor(70, 70, 70)).anchor(HPos::Center, VPos::Top);
        font::put(root, mode, line, (cx, y), &look)?;
        y += (size * 1.2) as i32 + 4;
    }
    Ok((y + 10) as u32)
}

const TICK_COLOR: RGBColor = RGBColor(40, 40, 40);

/// Draws the axes, data and their text; returns the top-left pixel of the plotting area.
fn draw_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    fig: &Figure,
    mode: Mode,
) -> anyhow::Result<(i32, i32)> {
    let y_tick_w = fig
        .y
        .ticks
        .iter()
        .map(|(_, l)| text_width(l, TICK_SIZE))
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
    // plotters draws grid lines, axes and tick marks; its own labels are invisible (see font.rs).
    let hidden = FontDesc::new(FontFamily::Name(font::FAMILY), TICK_SIZE, FontStyle::Normal)
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
        let fill = BAND.filled();
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(band.x0, fig.y.lo), (band.x1, fig.y.hi)],
                fill,
            )))
            .map_err(err)?;
    }
    draw_all_series(root, &mut chart, fig, mode)?;

    let (xs, ys) = chart.plotting_area().get_pixel_range();
    draw_ticks(root, &chart, fig, &layout, (xs.start, ys.end), mode)?;
    let x_title = Look::new(AXIS_SIZE, BLACK).anchor(HPos::Center, VPos::Bottom);
    let (ax, _) = area.get_pixel_range();
    font::put(
        root,
        mode,
        &fig.x.label,
        (
            (xs.start + xs.end) / 2,
            ys.end + ticks_h + axis_title_h + 24,
        ),
        &x_title,
    )?;
    let y_title = Look::new(AXIS_SIZE, BLACK)
        .anchor(HPos::Center, VPos::Top)
        .vertical();
    font::put(
        root,
        mode,
        &fig.y.label,
        (ax.start + 14, (ys.start + ys.end) / 2),
        &y_title,
    )?;
    for note in &fig.notes {
        let (x, y) = chart.backend_coord(&note.at);
        let w = text_width(&note.text, TICK_SIZE) as i32;
        // Left end of the text, kept inside the plotting area.
        let left = x + note.dx - if note.centred { w / 2 } else { 0 };
        let left = left.min(xs.end - 4 - w).max(xs.start + 4);
        let look = Look::new(TICK_SIZE, RGBColor(70, 70, 70)).anchor(HPos::Left, VPos::Center);
        font::put(root, mode, &note.text, (left, y + note.dy), &look)?;
    }
    Ok((xs.start, ys.start))
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
            let half = |l: &str| f64::from(text_width(l, size)) / 2.0;
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
    mode: Mode,
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
        let half = text_width(label, layout.size) as i32 / 2;
        if x - half < right_edge[row] + 10 {
            continue;
        }
        let y = bottom + 8 + row as i32 * line;
        font::put(root, mode, label, (x, y), &below)?;
        right_edge[row] = x + half;
    }
    let beside = Look::new(TICK_SIZE, TICK_COLOR).anchor(HPos::Right, VPos::Center);
    for (v, label) in &fig.y.ticks {
        if *v < fig.y.lo || *v > fig.y.hi {
            continue;
        }
        let (_, y) = chart.backend_coord(&(fig.x.lo, *v));
        font::put(root, mode, label, (left - 9, y), &beside)?;
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

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Ticked, Ticked>>;

fn line_style(st: Style) -> ShapeStyle {
    ShapeStyle {
        color: st.color.to_rgba(),
        filled: false,
        stroke_width: st.width,
    }
}

/// Lines of every series first, then error bars, then markers, so no line hides a marker.
fn draw_all_series<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut Chart<DB>,
    fig: &Figure,
    mode: Mode,
) -> anyhow::Result<()> {
    let px = Pixels::of(chart, fig);
    for s in &fig.series {
        match mode {
            Mode::Raster => {
                for seg in &s.lines {
                    let pts: Vec<(f64, f64)> = seg.iter().map(|&p| px.at(p)).collect();
                    // A touch heavier than SVG's 2 px strokes: antialiased edges read lighter.
                    let w = f64::from(s.style.width) * 1.25;
                    raster::polyline(
                        root,
                        &pts,
                        w,
                        s.style.color,
                        dash_lengths(s.style.dash),
                        &px.clip,
                    )?;
                }
            }
            Mode::Vector => draw_lines(chart, s)?,
        }
    }
    for s in &fig.series {
        draw_error_bars(chart, s)?;
    }
    for s in &fig.series {
        if let Some(m) = s.style.marker {
            for &p in &s.markers {
                draw_marker(root, mode, px.at(p), m, s.style.color, true, &px.clip)?;
            }
        }
    }
    Ok(())
}

/// Dash and gap lengths in pixels.
fn dash_lengths(d: Dash) -> Option<(f64, f64)> {
    match d {
        Dash::Solid => None,
        Dash::Dashed => Some((10.0, 6.0)),
        Dash::Dotted => Some((3.0, 4.0)),
    }
}

/// Plot units to sub-pixel positions (pixel centres), for the antialiased raster shapes.
struct Pixels {
    x: (f64, f64, f64, f64),
    y: (f64, f64, f64, f64),
    clip: raster::Clip,
}

impl Pixels {
    fn of<DB: DrawingBackend>(chart: &Chart<DB>, fig: &Figure) -> Self {
        let lo = chart.backend_coord(&(fig.x.lo, fig.y.lo));
        let hi = chart.backend_coord(&(fig.x.hi, fig.y.hi));
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        Self {
            x: (fig.x.lo, fig.x.hi, f64::from(lo.0), f64::from(hi.0)),
            y: (fig.y.lo, fig.y.hi, f64::from(lo.1), f64::from(hi.1)),
            clip: raster::Clip { x: xs, y: ys },
        }
    }

    fn at(&self, p: (f64, f64)) -> (f64, f64) {
        let map = |(lo, hi, a, b): (f64, f64, f64, f64), v: f64| {
            let f = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
            a + f * (b - a) + 0.5
        };
        (map(self.x, p.0), map(self.y, p.1))
    }
}

fn draw_lines<DB: DrawingBackend>(chart: &mut Chart<DB>, s: &Series) -> anyhow::Result<()> {
    let line = line_style(s.style);
    for seg in &s.lines {
        match s.style.dash {
            Dash::Solid => chart
                .draw_series(LineSeries::new(seg.iter().copied(), line))
                .map(|_| ()),
            Dash::Dashed => chart
                .draw_series(DashedLineSeries::new(seg.iter().copied(), 10, 6, line))
                .map(|_| ()),
            Dash::Dotted => chart
                .draw_series(DashedLineSeries::new(seg.iter().copied(), 3, 4, line))
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
fn marker_shape(m: Marker) -> Vec<(f64, f64)> {
    match m {
        Marker::Circle => Vec::new(),
        Marker::Square => vec![(-5.0, -5.0), (5.0, -5.0), (5.0, 5.0), (-5.0, 5.0)],
        Marker::Triangle => vec![(0.0, -7.0), (7.0, 5.0), (-7.0, 5.0)],
        Marker::Diamond => vec![(0.0, -7.0), (7.0, 0.0), (0.0, 7.0), (-7.0, 0.0)],
    }
}

/// A filled marker centred on pixel `at` (absolute, sub-pixel), with a thin white outline when `outline`
/// (so markers stay apart where they overlap).
fn draw_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    mode: Mode,
    at: (f64, f64),
    m: Marker,
    color: RGBColor,
    outline: bool,
    clip: &raster::Clip,
) -> anyhow::Result<()> {
    let shape = marker_shape(m);
    let moved = |grow: f64| -> Vec<(f64, f64)> {
        shape
            .iter()
            .map(|(dx, dy)| (at.0 + dx * grow, at.1 + dy * grow))
            .collect()
    };
    match mode {
        Mode::Raster => {
            if m == Marker::Circle {
                if outline {
                    raster::disc(root, at, 7.2, WHITE, clip)?;
                }
                raster::disc(root, at, 6.0, color, clip)?;
            } else {
                if outline {
                    raster::polygon(root, &moved(1.25), WHITE, clip)?;
                }
                raster::polygon(root, &moved(1.0), color, clip)?;
            }
        }
        Mode::Vector => {
            let c = (at.0 as i32, at.1 as i32);
            let edge = WHITE.stroke_width(1);
            if m == Marker::Circle {
                root.draw(&Circle::new(c, 6, color.filled())).map_err(err)?;
                if outline {
                    root.draw(&Circle::new(c, 6, edge)).map_err(err)?;
                }
            } else {
                let pts: Vec<(i32, i32)> = moved(1.0)
                    .iter()
                    .map(|p| (p.0 as i32, p.1 as i32))
                    .collect();
                root.draw(&Polygon::new(pts.clone(), color.filled()))
                    .map_err(err)?;
                if outline {
                    let mut ring = pts.clone();
                    ring.push(pts[0]);
                    root.draw(&PathElement::new(ring, edge)).map_err(err)?;
                }
            }
        }
    }
    Ok(())
}

fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x0, y0): (i32, i32),
    width: u32,
    entries: &[LegendEntry],
    mode: Mode,
) -> anyhow::Result<()> {
    let rows = entries.len() as i32;
    let top = y0 + 16;
    // One type size for every row: the largest at which each label fits beside its sample.
    let room = (width as i32 - 80).max(40) as u32;
    let size = entries
        .iter()
        .map(|e| fitting(&e.label, LEGEND_SIZE, e.is_heading(), room))
        .fold(LEGEND_SIZE, f64::min);
    let frame = [
        (x0 + 2, top - 8),
        (x0 + width as i32 - 12, top + rows * LEGEND_ROW + 4),
    ];
    root.draw(&Rectangle::new(frame, WHITE.filled()))
        .map_err(err)?;
    root.draw(&Rectangle::new(
        frame,
        RGBColor(200, 200, 200).stroke_width(1),
    ))
    .map_err(err)?;
    for (i, e) in entries.iter().enumerate() {
        let y = top + i as i32 * LEGEND_ROW + LEGEND_ROW / 2 - 2;
        let text_x = if let Some(st) = e.style {
            draw_sample(root, st, (x0 + 12, y), mode)?;
            x0 + 62
        } else if let Some(c) = e.swatch {
            let bx = [(x0 + 14, y - 8), (x0 + 50, y + 8)];
            root.draw(&Rectangle::new(bx, c.filled())).map_err(err)?;
            x0 + 62
        } else {
            x0 + 12
        };
        let mut look = Look::new(size, BLACK).anchor(HPos::Left, VPos::Center);
        look.bold = e.is_heading();
        font::put(root, mode, &e.label, (text_x, y), &look)?;
    }
    Ok(())
}

/// A short stretch of line, starting at pixel `at`, with the series' marker in its middle.
fn draw_sample<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    st: Style,
    (x, y): (i32, i32),
    mode: Mode,
) -> anyhow::Result<()> {
    let (w, h) = root.dim_in_pixel();
    let clip = raster::Clip {
        x: 0..w as i32,
        y: 0..h as i32,
    };
    if st.width > 0 {
        match mode {
            Mode::Raster => {
                let (x, y) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
                let pts = [(x, y), (x + 40.0, y)];
                let w = f64::from(st.width) * 1.25;
                raster::polyline(root, &pts, w, st.color, dash_lengths(st.dash), &clip)?;
            }
            Mode::Vector => {
                let pts = vec![(x, y), (x + 40, y)];
                let line = line_style(st);
                match st.dash {
                    Dash::Solid => root.draw(&PathElement::new(pts, line)),
                    Dash::Dashed => root.draw(&DashedPathElement::new(pts, 10, 6, line)),
                    Dash::Dotted => root.draw(&DashedPathElement::new(pts, 3, 4, line)),
                }
                .map_err(err)?;
            }
        }
    }
    if let Some(m) = st.marker {
        let at = (f64::from(x + 20) + 0.5, f64::from(y) + 0.5);
        draw_marker(root, mode, at, m, st.color, false, &clip)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_nice() {
        let a = Axis::linear("x", 0.0, 1.0, 5);
        let labels: Vec<&str> = a.ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
        let b = Axis::log("y", 0.9, 3800.0);
        let labels: Vec<&str> = b.ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["0.1", "1", "10", "100", "1,000", "10,000"]);
        assert_eq!(power_of_ten(6), "10⁶");
        assert_eq!(power_of_ten(-5), "10⁻⁵");
    }

    #[test]
    fn long_lines_wrap() {
        font::ensure().unwrap();
        let text = "word ".repeat(60);
        let lines = wrap(text.trim(), 16.0, 300);
        assert!(lines.len() > 3);
        assert!(lines.iter().all(|l| font::width(l, 16.0, false) <= 300));
        assert_eq!(wrap("short", 16.0, 300), ["short"]);
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(short_number(4.0), "4");
        assert_eq!(short_number(0.125), "0.125");
        assert_eq!(short_number(12345.0), "12,345");
        assert_eq!(group("-1234567.5"), "-1,234,567.5");
        assert_eq!(number(20000.0, 0), "20,000");
    }
}
