//! The one font of every plot: DejaVu Sans, compiled in from the `dejavu` crate, so PNGs render the same on a
//! machine with no system fonts. Licence: LICENSES/DejaVu.txt.
//!
//! It is registered with plotters as "sans-serif" (plotters lays out its axes with it), but text is measured and
//! rasterised here with ab_glyph: plotters 0.3.7 drops each glyph's side bearing when it rasterises, which
//! spaces letters unevenly ("equal l oad"). SVGs get `<text>` elements naming DejaVu Sans first, so they stay
//! text, with widths close to the ones measured here.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontTransform, register_font};

/// The family name registered with plotters.
pub const FAMILY: &str = "sans-serif";
/// The CSS font family written into SVG text.
const SVG_FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";

/// Registers the font with plotters once per process; later calls return the first outcome.
pub fn ensure() -> anyhow::Result<()> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        [FAMILY, SVG_FAMILY].iter().all(|name| {
            register_font(name, FontStyle::Normal, dejavu::sans::regular()).is_ok()
                && register_font(name, FontStyle::Bold, dejavu::sans::bold()).is_ok()
        }) && face(false).is_some()
            && face(true).is_some()
    });
    if ok {
        Ok(())
    } else {
        anyhow::bail!("the embedded DejaVu Sans font could not be loaded")
    }
}

fn face(bold: bool) -> Option<&'static FontRef<'static>> {
    static REGULAR: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    static BOLD: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    let (cell, bytes) = if bold {
        (&BOLD, dejavu::sans::bold())
    } else {
        (&REGULAR, dejavu::sans::regular())
    };
    cell.get_or_init(|| FontRef::try_from_slice(bytes).ok())
        .as_ref()
}

/// ab_glyph scales by line height; this makes `size` the em size, as CSS font-size is in the SVG.
fn scale(font: &FontRef, size: f64) -> PxScale {
    let em = font.units_per_em().unwrap_or(2048.0);
    PxScale::from(size as f32 * font.height_unscaled() / em)
}

/// Width in pixels of `text` at `size` (em, px).
pub fn width(text: &str, size: f64, bold: bool) -> u32 {
    let Some(font) = face(bold) else { return 0 };
    let sf = font.as_scaled(scale(font, size));
    advance(&sf, text).ceil() as u32
}

fn advance<F: Font>(sf: &impl ScaleFont<F>, text: &str) -> f32 {
    let mut x = 0.0;
    let mut prev = None;
    for c in text.chars() {
        let id = sf.glyph_id(c);
        if let Some(p) = prev {
            x += sf.kern(p, id);
        }
        x += sf.h_advance(id);
        prev = Some(id);
    }
    x
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

    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }

    pub fn anchor(mut self, h: HPos, v: VPos) -> Self {
        self.h = h;
        self.v = v;
        self
    }

    pub fn vertical(mut self) -> Self {
        self.vertical = true;
        self
    }
}

/// Raster (our glyph rasteriser, for PNG) or vector (`<text>` elements, for SVG).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    Raster,
    Vector,
}

/// Draws `text` with its anchor at pixel `at` of `root`.
pub fn put<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    mode: Mode,
    text: &str,
    at: (i32, i32),
    look: &Look,
) -> anyhow::Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    match mode {
        Mode::Vector => {
            let weight = if look.bold {
                FontStyle::Bold
            } else {
                FontStyle::Normal
            };
            // plotters writes font-size = size / 1.24 into the SVG; undo that so the em size matches the PNG.
            let mut style = FontDesc::new(FontFamily::Name(SVG_FAMILY), look.size * 1.24, weight)
                .color(&look.color)
                .pos(Pos::new(look.h, look.v));
            if look.vertical {
                style = style.transform(FontTransform::Rotate270);
            }
            root.draw_text(text, &style, at)
                .map_err(|e| anyhow::anyhow!("cannot draw text: {e}"))
        }
        Mode::Raster => raster(root, text, at, look),
    }
}

fn raster<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    at: (i32, i32),
    look: &Look,
) -> anyhow::Result<()> {
    let Some(font) = face(look.bold) else {
        anyhow::bail!("the embedded DejaVu Sans font could not be loaded")
    };
    let sc = scale(font, look.size);
    let sf = font.as_scaled(sc);
    let w = advance(&sf, text);
    let dx = match look.h {
        HPos::Left => 0.0,
        HPos::Center => -w / 2.0,
        HPos::Right => -w,
    }
    .round();
    // Baseline below the anchor: the box runs from ascent above to descent below the baseline.
    let base = match look.v {
        VPos::Top => sf.ascent(),
        VPos::Center => (sf.ascent() + sf.descent()) / 2.0,
        VPos::Bottom => sf.descent(),
    }
    .round();
    let mut caret = 0.0;
    let mut prev = None;
    let mut failed = None;
    for c in text.chars() {
        let id = sf.glyph_id(c);
        if let Some(p) = prev {
            caret += sf.kern(p, id);
        }
        prev = Some(id);
        let glyph = id.with_scale_and_position(sc, point(caret, 0.0));
        caret += sf.h_advance(id);
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let b = outline.px_bounds();
        outline.draw(|px, py, cover| {
            if cover <= 0.0 || failed.is_some() {
                return;
            }
            let lx = (b.min.x + px as f32 + dx) as i32;
            let ly = (b.min.y + py as f32 + base) as i32;
            let (x, y) = if look.vertical {
                (at.0 + ly, at.1 - lx)
            } else {
                (at.0 + lx, at.1 + ly)
            };
            if let Err(e) = root.draw_pixel((x, y), &look.color.mix(f64::from(cover.min(1.0)))) {
                failed = Some(e.to_string());
            }
        });
    }
    match failed {
        Some(e) => anyhow::bail!("cannot draw text: {e}"),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_text() {
        ensure().unwrap();
        let a = width("flood-ttl7", 15.0, false);
        assert!(a > 50 && a < 120, "{a}");
        assert!(width("Title", 24.0, true) > width("Title", 24.0, false));
        assert_eq!(width("", 15.0, false), 0);
    }
}
