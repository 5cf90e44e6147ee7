//! Text of the figures: DejaVu Sans, compiled in from the `dejavu` crate (licence: LICENSES/DejaVu.txt), so a
//! figure looks the same on a machine with no system fonts. Text is measured here with ab_glyph (the layout
//! needs widths before drawing: legend panels, wrapped subtitles, staggered tick labels); it is drawn as SVG
//! `<text>` and rasterised by resvg from the same font files ([`super::png`]), so measured and drawn widths agree.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use plotters::style::{FontStyle, register_font};

/// The font family written into every SVG `<text>`, first in its fallback list.
pub const FAMILY: &str = "DejaVu Sans";
/// What plotters is told: its mesh lays out (invisible) labels with a registered font, so it needs one.
pub const PLOTTERS_FAMILY: &str = "sans-serif";
/// The `font-family` of SVG text: DejaVu Sans, then close relatives for viewers that lack it.
pub const SVG_FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";

/// Registers the font with plotters once per process; later calls return the first outcome.
pub fn ensure() -> anyhow::Result<()> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        [PLOTTERS_FAMILY, SVG_FAMILY].iter().all(|name| {
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

/// Width in pixels of `text` at `size` (the em size, as CSS font-size is in the SVG), with kerning.
pub fn width(text: &str, size: f64, bold: bool) -> u32 {
    let Some(font) = face(bold) else { return 0 };
    let em = font.units_per_em().unwrap_or(2048.0);
    // ab_glyph scales by line height; this makes `size` the em size.
    let sf = font.as_scaled(PxScale::from(size as f32 * font.height_unscaled() / em));
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
    x.ceil() as u32
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
