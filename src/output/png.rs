//! PNGs are the SVGs rasterised by resvg (pure Rust): one renderer, so a figure's PNG and SVG look the same by
//! construction. resvg only sees the fonts put in its database here, the DejaVu faces compiled into the binary,
//! never the system's, so a PNG comes out the same on every machine.

use std::sync::{Arc, OnceLock};

use anyhow::{Context, anyhow};
use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{self, fontdb};

use super::text;

/// The font database every rasterisation shares (loading and parsing the faces once per process).
fn fonts() -> Arc<fontdb::Database> {
    static DB: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_font_data(dejavu::sans::regular().to_vec());
        db.load_font_data(dejavu::sans::bold().to_vec());
        db.set_sans_serif_family(text::FAMILY);
        Arc::new(db)
    })
    .clone()
}

/// The PNG image of an SVG document, at its own pixel size, on white.
pub fn rasterise(svg: &str) -> anyhow::Result<Vec<u8>> {
    let options = usvg::Options {
        fontdb: fonts(),
        font_family: text::FAMILY.to_string(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).context("cannot read back a drawn SVG")?;
    let size = tree.size().to_int_size();
    let mut pixmap = Pixmap::new(size.width(), size.height())
        .ok_or_else(|| anyhow!("cannot rasterise an empty SVG"))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(&tree, Transform::default(), &mut pixmap.as_mut());
    encode(&pixmap)
}

/// 8-bit RGB PNG of an opaque pixmap (a quarter less data than RGBA). DEFLATE level 4: the encoder's default
/// level spent half of `gnutsim plot`'s time compressing, for files 4% smaller (ttl-sweep: 1.5 s of CPU at the
/// default, 1.15 s at level 4; its fastest mode, 0.6 s, nearly doubles the files, which report.html embeds).
fn encode(pixmap: &Pixmap) -> anyhow::Result<Vec<u8>> {
    // Opaque pixels: premultiplied and plain colours are the same.
    let rgb: Vec<u8> = pixmap
        .pixels()
        .iter()
        .flat_map(|p| [p.red(), p.green(), p.blue()])
        .collect();
    let mut out = Vec::new();
    let mut encoder = ::png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(::png::ColorType::Rgb);
    encoder.set_depth(::png::BitDepth::Eight);
    encoder.set_compression(::png::Compression::Balanced);
    encoder.set_deflate_compression(::png::DeflateCompression::Level(4));
    let mut writer = encoder
        .write_header()
        .map_err(|e| anyhow!("cannot encode a PNG: {e}"))?;
    writer
        .write_image_data(&rgb)
        .map_err(|e| anyhow!("cannot encode a PNG: {e}"))?;
    writer
        .finish()
        .map_err(|e| anyhow!("cannot encode a PNG: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_drawn_with_the_embedded_font() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">
            <text x="4" y="30" font-family="DejaVu Sans" font-size="24" fill="black">Ag</text></svg>"#;
        let png = rasterise(svg).unwrap();
        let img = Pixmap::decode_png(&png).unwrap();
        assert_eq!((img.width(), img.height()), (120, 40));
        let dark = img.pixels().iter().filter(|p| p.red() < 128).count();
        assert!(dark > 50, "the text left {dark} dark pixels");
    }
}
