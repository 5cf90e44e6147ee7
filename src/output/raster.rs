//! Antialiased lines and discs for the PNG plots. plotters' bitmap backend draws thick lines without
//! antialiasing, so a sloping 2-pixel line looks thinner and jagged next to a flat one; here each pixel gets
//! the share of it that the line covers (distance from its centre to the line). SVGs do not need this.

use std::collections::HashMap;
use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;

/// Pixels a shape is allowed to touch (the plotting area).
#[derive(Clone, Debug)]
pub struct Clip {
    pub x: Range<i32>,
    pub y: Range<i32>,
}

/// Coverage of pixels by one shape, so overlapping pieces of one line are not blended twice.
#[derive(Default)]
struct Coverage(HashMap<(i32, i32), f32>);

impl Coverage {
    fn add(&mut self, x: i32, y: i32, c: f32) {
        if c > 0.0 {
            let e = self.0.entry((x, y)).or_insert(0.0);
            *e = e.max(c.min(1.0));
        }
    }

    fn paint<DB: DrawingBackend>(
        self,
        root: &DrawingArea<DB, Shift>,
        color: RGBColor,
        clip: &Clip,
    ) -> anyhow::Result<()> {
        let mut pixels: Vec<_> = self.0.into_iter().collect();
        pixels.sort_by_key(|p| p.0);
        for ((x, y), c) in pixels {
            if clip.x.contains(&x) && clip.y.contains(&y) {
                root.draw_pixel((x, y), &color.mix(f64::from(c)))
                    .map_err(|e| anyhow::anyhow!("cannot draw a line: {e}"))?;
            }
        }
        Ok(())
    }

    /// A segment of `width` pixels between two points (pixel coordinates, pixel centres at +0.5).
    fn segment(&mut self, a: (f64, f64), b: (f64, f64), width: f64) {
        let half = width / 2.0;
        let pad = half + 1.0;
        let (x0, x1) = (a.0.min(b.0) - pad, a.0.max(b.0) + pad);
        let (y0, y1) = (a.1.min(b.1) - pad, a.1.max(b.1) + pad);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = dx * dx + dy * dy;
        for y in y0.floor() as i32..=y1.ceil() as i32 {
            for x in x0.floor() as i32..=x1.ceil() as i32 {
                let (px, py) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
                let t = if len2 > 0.0 {
                    (((px - a.0) * dx + (py - a.1) * dy) / len2).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let (cx, cy) = (a.0 + t * dx, a.1 + t * dy);
                let d = ((px - cx).powi(2) + (py - cy).powi(2)).sqrt();
                self.add(x, y, (half + 0.5 - d).clamp(0.0, 1.0) as f32);
            }
        }
    }
}

/// Splits a polyline into its dashes: `on` pixels drawn, `off` pixels skipped, along its length.
fn dashes(points: &[(f64, f64)], on: f64, off: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    let period = on + off;
    let mut phase = 0.0; // distance into the current period
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let mut done = 0.0;
        while done < len {
            let at = |s: f64| (a.0 + (b.0 - a.0) * s / len, a.1 + (b.1 - a.1) * s / len);
            let drawing = phase < on;
            let left = if drawing { on - phase } else { period - phase };
            let step = left.min(len - done);
            if drawing {
                if cur.is_empty() {
                    cur.push(at(done));
                }
                cur.push(at(done + step));
            }
            done += step;
            phase += step;
            if phase >= period - 1e-9 {
                phase = 0.0;
            }
            if phase >= on && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    if cur.len() > 1 {
        out.push(cur);
    }
    out
}

/// A polyline through `points` (pixel coordinates), solid or dashed (`dash` = on, off lengths in pixels).
pub fn polyline<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    points: &[(f64, f64)],
    width: f64,
    color: RGBColor,
    dash: Option<(f64, f64)>,
    clip: &Clip,
) -> anyhow::Result<()> {
    let pieces = match dash {
        Some((on, off)) => dashes(points, on, off),
        None => vec![points.to_vec()],
    };
    let mut cov = Coverage::default();
    for piece in &pieces {
        if piece.len() == 1 {
            cov.segment(piece[0], piece[0], width);
        }
        for w in piece.windows(2) {
            cov.segment(w[0], w[1], width);
        }
    }
    cov.paint(root, color, clip)
}

/// A filled disc of radius `r` pixels centred on `c`.
pub fn disc<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: (f64, f64),
    r: f64,
    color: RGBColor,
    clip: &Clip,
) -> anyhow::Result<()> {
    let mut cov = Coverage::default();
    for y in (c.1 - r - 1.0).floor() as i32..=(c.1 + r + 1.0).ceil() as i32 {
        for x in (c.0 - r - 1.0).floor() as i32..=(c.0 + r + 1.0).ceil() as i32 {
            let d =
                ((f64::from(x) + 0.5 - c.0).powi(2) + (f64::from(y) + 0.5 - c.1).powi(2)).sqrt();
            cov.add(x, y, (r + 0.5 - d).clamp(0.0, 1.0) as f32);
        }
    }
    cov.paint(root, color, clip)
}

/// A filled polygon through `pts` (pixel coordinates), for the triangle, square and diamond markers.
pub fn polygon<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    pts: &[(f64, f64)],
    color: RGBColor,
    clip: &Clip,
) -> anyhow::Result<()> {
    if pts.len() < 3 {
        return Ok(());
    }
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in pts {
        x0 = x0.min(p.0);
        x1 = x1.max(p.0);
        y0 = y0.min(p.1);
        y1 = y1.max(p.1);
    }
    let mut cov = Coverage::default();
    for y in (y0 - 1.0).floor() as i32..=(y1 + 1.0).ceil() as i32 {
        for x in (x0 - 1.0).floor() as i32..=(x1 + 1.0).ceil() as i32 {
            let p = (f64::from(x) + 0.5, f64::from(y) + 0.5);
            let d = edge_distance(pts, p);
            let signed = if inside(pts, p) { d } else { -d };
            cov.add(x, y, (signed + 0.5).clamp(0.0, 1.0) as f32);
        }
    }
    cov.paint(root, color, clip)
}

fn inside(pts: &[(f64, f64)], p: (f64, f64)) -> bool {
    let mut odd = false;
    let n = pts.len();
    for i in 0..n {
        let (a, b) = (pts[i], pts[(i + 1) % n]);
        if (a.1 > p.1) != (b.1 > p.1) && p.0 < a.0 + (p.1 - a.1) * (b.0 - a.0) / (b.1 - a.1) {
            odd = !odd;
        }
    }
    odd
}

fn edge_distance(pts: &[(f64, f64)], p: (f64, f64)) -> f64 {
    let n = pts.len();
    (0..n)
        .map(|i| {
            let (a, b) = (pts[i], pts[(i + 1) % n]);
            let (dx, dy) = (b.0 - a.0, b.1 - a.1);
            let len2 = dx * dx + dy * dy;
            let t = if len2 > 0.0 {
                (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            ((p.0 - a.0 - t * dx).powi(2) + (p.1 - a.1 - t * dy).powi(2)).sqrt()
        })
        .fold(f64::INFINITY, f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashes_alternate_along_the_line() {
        let d = dashes(&[(0.0, 0.0), (25.0, 0.0)], 10.0, 5.0);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0], vec![(0.0, 0.0), (10.0, 0.0)]);
        assert_eq!(d[1], vec![(15.0, 0.0), (25.0, 0.0)]);
        // A dash carries on round a corner.
        let d = dashes(&[(0.0, 0.0), (6.0, 0.0), (6.0, 6.0)], 10.0, 5.0);
        assert_eq!(d[0], vec![(0.0, 0.0), (6.0, 0.0), (6.0, 4.0)]);
    }

    #[test]
    fn a_segment_covers_its_width() {
        let mut c = Coverage::default();
        c.segment((0.0, 10.5), (20.0, 10.5), 2.0);
        // Row 10 (centre 10.5) is fully covered, rows 9 and 11 half, row 8 not at all.
        assert_eq!(c.0.get(&(5, 10)).copied(), Some(1.0));
        assert_eq!(c.0.get(&(5, 9)).copied(), Some(0.5));
        assert_eq!(c.0.get(&(5, 11)).copied(), Some(0.5));
        assert_eq!(c.0.get(&(5, 8)), None);
    }
}
