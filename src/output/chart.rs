//! A small figure model: axes with explicit ticks ([`super::ticks`]), line/marker series, error bars, shaded
//! bands, notes and a legend. Figures are described in plot units: a log axis holds log10 of the data, so every
//! chart is a plain linear plotters chart with ticks we chose. [`save`] draws a figure once, as SVG
//! ([`super::draw`]), and rasterises that SVG into the PNG ([`super::png`]): one renderer for both files.

use std::path::Path;

use anyhow::Context;
use plotters::style::RGBColor;
use rayon::prelude::*;

use super::{draw, png, text};

/// Pixel size of every plot.
pub const WIDTH: u32 = 1000;
pub const HEIGHT: u32 = 700;

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
}

/// One series: line segments (broken where a value is undefined), markers and error bars, in plot units.
#[derive(Clone, Debug)]
pub struct Series {
    pub style: Style,
    pub lines: Vec<Vec<(f64, f64)>>,
    pub markers: Vec<(f64, f64)>,
    /// Error bars as (from, to); caps are drawn across the bar.
    pub errors: Vec<((f64, f64), (f64, f64))>,
    /// Shaded areas (closed polygons, plot units) in a light tint of the colour: confidence bands.
    pub areas: Vec<Vec<(f64, f64)>>,
}

impl Series {
    pub fn new(style: Style) -> Self {
        Self {
            style,
            lines: Vec::new(),
            markers: Vec::new(),
            errors: Vec::new(),
            areas: Vec::new(),
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

    pub fn is_heading(&self) -> bool {
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
    /// Pixels; [`HEIGHT`] unless a figure needs more (one line per row of a long category axis).
    pub height: u32,
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
            height: HEIGHT,
        }
    }
}

/// Writes `stem.svg` and `stem.png` into `dir`: the SVG drawn once, the PNG rasterised from it.
pub fn save(fig: &Figure, dir: &Path, stem: &str) -> anyhow::Result<()> {
    text::ensure()?;
    let svg = draw::svg(fig)?;
    let png = png::rasterise(&svg)?;
    let path = dir.join(format!("{stem}.svg"));
    std::fs::write(&path, &svg).with_context(|| format!("cannot write {}", path.display()))?;
    let path = dir.join(format!("{stem}.png"));
    std::fs::write(&path, png).with_context(|| format!("cannot write {}", path.display()))
}

/// Saves every (file stem under `dir`, figure) pair, rasterising in parallel (resvg's antialiased rendering is
/// most of the time of `gnutsim plot`); the first error, in input order, is returned.
pub fn save_all(dir: &Path, figures: &[(String, Figure)]) -> anyhow::Result<()> {
    text::ensure()?;
    let results: Vec<anyhow::Result<()>> = figures
        .par_iter()
        .map(|(stem, fig)| {
            let path = dir.join(stem);
            let parent = path.parent().unwrap_or(dir);
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("plot");
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
            save(fig, parent, name).with_context(|| format!("cannot draw plots/{stem}"))
        })
        .collect();
    results.into_iter().collect()
}
