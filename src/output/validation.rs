//! What `gnutsim validate` shows: a line per comparison, validate.csv, and a chart of each measured value's
//! distance from its closed form in units of its tolerance.

use std::fmt::Write;

use super::chart::{
    self, Axis, BAND, Band, Dash, Figure, LegendEntry, Marker, Note, Series, Style,
};
use crate::format::float;
use crate::results::validation::ValidationRow;

/// A number as the text lines show it: six significant digits.
fn shown(x: f64) -> String {
    if x == 0.0 || (1e-3..1e6).contains(&x.abs()) {
        let s = format!("{x:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    } else {
        format!("{x:.5e}")
    }
}

/// One line per comparison, then the count.
pub fn text(rows: &[ValidationRow]) -> String {
    let mut o = String::new();
    let width = rows.iter().map(|r| r.check.len()).max().unwrap_or(0);
    for r in rows {
        let tolerance = if r.tolerance == 0.0 {
            "exact".to_string()
        } else {
            format!("± {}", shown(r.tolerance))
        };
        let _ = writeln!(
            o,
            "{:<width$}  {:<4}  measured {} against {} {}  ({})",
            r.check,
            if r.passed() { "pass" } else { "FAIL" },
            shown(r.measured),
            shown(r.theory),
            tolerance,
            r.what,
        );
    }
    let passed = rows.iter().filter(|r| r.passed()).count();
    let _ = writeln!(
        o,
        "reproduces {passed} of {} theoretical results",
        rows.len()
    );
    o
}

/// validate.csv: `check`, `what`, `measured`, `theory`, `tolerance`, `pass`.
pub fn csv(rows: &[ValidationRow]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["check", "what", "measured", "theory", "tolerance", "pass"]);
    for r in rows {
        let _ = w.write_record([
            r.check.to_string(),
            r.what.clone(),
            float(r.measured),
            float(r.theory),
            float(r.tolerance),
            r.passed().to_string(),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// How far each measured value lies from its closed form, in tolerances: inside the shaded band is a pass.
/// Exact results sit on 0 when they match.
pub fn figure(rows: &[ValidationRow]) -> Figure {
    // First row at the top.
    let ordered: Vec<&ValidationRow> = rows.iter().rev().collect();
    let names: Vec<String> = ordered
        .iter()
        .map(|r| {
            let label = format!("{}: {}", r.check, r.what);
            if label.chars().count() > 62 {
                label.chars().take(61).collect::<String>() + "…"
            } else {
                label
            }
        })
        .collect();
    let deviation = |r: &ValidationRow| {
        if r.tolerance > 0.0 {
            (r.measured - r.theory) / r.tolerance
        } else if r.passed() {
            0.0
        } else {
            f64::INFINITY
        }
    };
    let reach = ordered
        .iter()
        .map(|r| deviation(r).abs())
        .filter(|d| d.is_finite())
        .fold(1.0_f64, f64::max);
    let lim = (reach * 1.15).max(1.5).ceil();
    let x = Axis::linear("(measured − theory) / tolerance", -lim, lim, 5);
    let y = Axis::categories("", &names);
    let passed = rows.iter().filter(|r| r.passed()).count();
    let mut fig = Figure::new(
        &format!(
            "gnutsim validate: reproduces {passed} of {} theoretical results",
            rows.len()
        ),
        x,
        y,
    );
    fig.subtitle
        .push("shaded: within tolerance; exact results sit on 0 when they match".into());
    // One line of label per row: 18 px each, under the titles and above the axis.
    fig.height = chart::HEIGHT.max(200 + 18 * rows.len() as u32);
    fig.bands.push(Band { x0: -1.0, x1: 1.0 });
    let dots = |color, marker| Style {
        width: 0,
        ..Style::line(color, Dash::Solid).with_marker(marker)
    };
    let good = dots(chart::color(0), Marker::Circle);
    let bad = dots(plotters::style::RGBColor(200, 30, 30), Marker::Square);
    let mut pass = Series::new(good);
    let mut fail = Series::new(bad);
    for (i, r) in ordered.iter().enumerate() {
        let d = deviation(r);
        let at = (d.clamp(-lim, lim), i as f64);
        if r.passed() {
            pass.markers.push(at);
        } else {
            fail.markers.push(at);
            let mut note = Note::new(at, "FAIL");
            note.dx = if d > 0.0 { -40 } else { 8 };
            fig.notes.push(note);
        }
    }
    fig.series.push(pass);
    fig.series.push(fail);
    fig.legend = vec![
        LegendEntry::band(BAND, "within tolerance"),
        LegendEntry::line(good, "pass"),
        LegendEntry::line(bad, "FAIL"),
    ];
    fig
}
