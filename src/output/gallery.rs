//! The plots part of report.html: every PNG of `plots/`, embedded as a data URI with links to its SVG and PNG.
//! With a sweep, the plots across the sweep come first, then one section per sweep point (`plots/point-K/`),
//! open for the first [`OPEN_POINTS`] points and collapsed (`<details>`) after, with links to each, so a
//! 7-point sweep stays one screen of headings. A plot left out because it carries no information (online
//! peers without churn) is named, with the reason, where it would have been.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::Context;

use super::chart::{HEIGHT, WIDTH};
use super::plots::{self, describe_keys};
use super::read::Summary;
use super::report::{base64, escape};

/// Sweep points whose section starts open.
const OPEN_POINTS: usize = 2;

const SECTIONS: [&str; 5] = [
    "Load distribution",
    "Per strategy",
    "Over time",
    "Against the swept keys",
    "Other plots",
];

/// A plot found on disk: (section, order, stem, caption).
type Found = (usize, String, String, String);

/// The PNG plots directly in `folder`, sorted by section and order; captions name swept keys as the CSVs do
/// (`strategy.flood.ttl`, not the file name's `strategy_flood_ttl`).
fn pngs(folder: &Path, keys: &[String]) -> anyhow::Result<Vec<Found>> {
    let mut found = Vec::new();
    if !folder.is_dir() {
        return Ok(found);
    }
    for entry in
        fs::read_dir(folder).with_context(|| format!("cannot list {}", folder.display()))?
    {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) == Some("png")
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
        {
            let (section, order, mut caption) = plots::describe(stem);
            if let Some(key) = keys
                .iter()
                .find(|k| caption.ends_with(&format!(" against {}", plots::file_part(k))))
            {
                let cut = caption.len() - plots::file_part(key).len();
                caption = format!("{}{key}", &caption[..cut]);
            }
            found.push((section, order, stem.to_string(), caption));
        }
    }
    found.sort();
    Ok(found)
}

/// Writes the "Plots" part of the page.
pub fn plot_sections(page: &mut String, dir: &Path, summary: &Summary) -> anyhow::Result<()> {
    let plots_dir = dir.join("plots");
    let top = pngs(&plots_dir, &summary.keys)?;
    let points: Vec<(u64, String, Vec<Found>)> = summary
        .points()
        .into_iter()
        .map(|p| {
            let folder = plots::point_folder(summary, p);
            let found = if folder.is_empty() {
                Ok(Vec::new())
            } else {
                pngs(&plots_dir.join(&folder), &summary.keys)
            };
            found.map(|f| (p, folder, f))
        })
        .collect::<anyhow::Result<_>>()?;
    let _ = writeln!(page, "<h2>Plots</h2>");
    if top.is_empty() && points.iter().all(|p| p.2.is_empty()) {
        let _ = writeln!(
            page,
            "<p>No plots in this folder: <code>gnutsim plot {}</code> draws them.</p>",
            escape(&dir.display().to_string())
        );
        return Ok(());
    }
    if summary.keys.is_empty() {
        return figures(page, dir, "", &top, 3);
    }
    if !top.is_empty() {
        let _ = writeln!(page, "<h3>Across the sweep</h3>");
        figures(page, dir, "", &top, 4)?;
    }
    let _ = writeln!(page, "<h3>At each sweep point</h3>");
    page.push_str("<nav>");
    for (p, _, _) in &points {
        let _ = write!(page, "<a href=\"#point-{p}\">point {p}</a>");
    }
    page.push_str("</nav>\n");
    for (i, (p, folder, found)) in points.iter().enumerate() {
        let keys = summary
            .at_point(*p)
            .first()
            .map(|r| describe_keys(&summary.keys, &r.keys))
            .unwrap_or_default();
        let open = if i < OPEN_POINTS { " open" } else { "" };
        let _ = writeln!(
            page,
            "<details id=\"point-{p}\"{open}><summary>Point {p}: {}</summary>",
            escape(&keys)
        );
        figures(page, dir, folder, found, 4)?;
        page.push_str("</details>\n");
    }
    Ok(())
}

/// The figures of one folder (`folder` relative to `plots/`, `""` or `point-K/`), under headings of level
/// `level`, and a note where the online-peers plot was left out.
fn figures(
    page: &mut String,
    dir: &Path,
    folder: &str,
    found: &[Found],
    level: usize,
) -> anyhow::Result<()> {
    let has = |stem: &str| found.iter().any(|f| f.2 == stem);
    let mut current = usize::MAX;
    for (section, _, stem, caption) in found {
        if *section != current {
            current = *section;
            let title = SECTIONS.get(current).copied().unwrap_or("Other plots");
            let _ = writeln!(page, "<h{level}>{}</h{level}>", escape(title));
        }
        figure(page, dir, folder, stem, caption)?;
        if stem == "timeseries_success" && !has("timeseries_online") {
            let _ = writeln!(
                page,
                "<p class=\"note\">Online peers over time: not drawn. The number of online peers never \
                 changes here (no churn: every peer is online for the whole run), so its plot would be a \
                 flat line.</p>"
            );
        }
    }
    Ok(())
}

/// One embedded figure, its id the file's path under `plots/` (`point-3-lorenz`).
fn figure(
    page: &mut String,
    dir: &Path,
    folder: &str,
    stem: &str,
    caption: &str,
) -> anyhow::Result<()> {
    let png = dir.join("plots").join(folder).join(format!("{stem}.png"));
    let bytes = fs::read(&png).with_context(|| format!("cannot read {}", png.display()))?;
    let rel = format!("plots/{folder}{stem}");
    let svg = if dir.join(format!("{rel}.svg")).is_file() {
        format!(
            " — <a href=\"{0}.svg\">SVG</a>, <a href=\"{0}.png\">PNG</a>",
            escape(&rel)
        )
    } else {
        String::new()
    };
    let id = format!("{}{stem}", folder.replace('/', "-"));
    let _ = writeln!(
        page,
        "<figure id=\"{id}\"><img src=\"data:image/png;base64,{data}\" alt=\"{alt}\" width=\"{WIDTH}\" \
         height=\"{HEIGHT}\"><figcaption>{alt}{svg}</figcaption></figure>",
        id = escape(&id),
        data = base64(&bytes),
        alt = escape(caption),
    );
    Ok(())
}
