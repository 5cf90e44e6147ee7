//! report.html: one self-contained page per results folder (description, summary table, every plot, resolved
//! scenario), readable offline: no scripts of its own, no external assets; plots are embedded as base64 PNGs,
//! with a relative link to each SVG; the traced queries are frames of the folder's own `traces/` pages.
//! Everything taken from the folder's files is HTML-escaped.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::Context;

use super::gallery;
use super::plots::mean_ci;
use super::read::{self, Summary};

/// Writes `dir/report.html` from the folder's files (draw the plots first: they are embedded, not drawn here).
pub fn write_report(dir: &Path) -> anyhow::Result<()> {
    let html = render(dir)?;
    let path = dir.join("report.html");
    fs::write(&path, html).with_context(|| format!("cannot write {}", path.display()))
}

/// The page, as a string.
pub fn render(dir: &Path) -> anyhow::Result<String> {
    let summary = read::summary(dir)?;
    let scenario = read::scenario(dir)?;
    let name = scenario
        .name
        .clone()
        .unwrap_or_else(|| "gnutsim results".to_string());
    let mut page = String::new();
    head(&mut page, &name);
    let _ = writeln!(page, "<h1>{}</h1>", escape(&name));
    if let Some(d) = scenario.description.as_deref() {
        for para in d.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            let _ = writeln!(page, "<p class=\"description\">{}</p>", escape(para));
        }
    }
    facts(&mut page, &summary);
    let _ = writeln!(page, "<h2>Summary</h2>");
    summary_table(&mut page, &summary);
    gallery::plot_sections(&mut page, dir, &summary)?;
    super::trace_report::section(&mut page, dir, &summary.strategies());
    let _ = writeln!(page, "<h2>Resolved scenario</h2>");
    match scenario.text.as_deref() {
        Some(t) => {
            let _ = writeln!(page, "<pre>{}</pre>", escape(t));
        }
        None => {
            let _ = writeln!(page, "<p>scenario.toml is missing from this folder.</p>");
        }
    }
    let _ = writeln!(
        page,
        "<footer>Written by gnutsim {} from the CSV files of this folder.</footer>\n</body>\n</html>",
        crate::VERSION
    );
    Ok(page)
}

/// The page of a folder with no runs (an empty shard): no plots, no summary, the resolved scenario.
pub fn empty_page(dir: &Path) -> String {
    let scenario = read::scenario(dir).ok();
    let name = scenario
        .as_ref()
        .and_then(|s| s.name.clone())
        .unwrap_or_else(|| "gnutsim results".to_string());
    let mut page = String::new();
    head(&mut page, &name);
    let _ = writeln!(page, "<h1>{}</h1>", escape(&name));
    let _ = writeln!(
        page,
        "<p>This folder holds no runs: it is an empty shard (more shards than (point, replication) slices). \
         Merge it with the other shards (<code>gnutsim merge</code>) to see the results.</p>"
    );
    if let Some(t) = scenario.as_ref().and_then(|s| s.text.as_deref()) {
        let _ = writeln!(page, "<h2>Resolved scenario</h2>\n<pre>{}</pre>", escape(t));
    }
    let _ = writeln!(
        page,
        "<footer>Written by gnutsim {}.</footer>\n</body>\n</html>",
        crate::VERSION
    );
    page
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;max-width:1100px;margin:2em auto;\
padding:0 1em;color:#222;line-height:1.45}\
h1{font-size:1.6em;margin-bottom:.3em}h2{margin-top:2em;border-bottom:1px solid #ccc}\
.description{max-width:55em}.facts,.note{color:#555}\
.table{overflow:auto;max-height:75vh;border:1px solid #ddd}\
table{border-collapse:separate;border-spacing:0;font-size:.85em;font-variant-numeric:tabular-nums}\
th,td{padding:.3em .6em;border-bottom:1px solid #e2e2e2;white-space:nowrap}\
thead th{position:sticky;top:0;z-index:1;background:#f4f4f4;text-align:left;vertical-align:bottom}\
th.n,td.n{text-align:right}td.u{color:#999;text-align:center}\
details{margin:1em 0;border:1px solid #e2e2e2;padding:0 1em}details[open]{padding-bottom:1em}\
summary{cursor:pointer;font-weight:bold;padding:.6em 0}nav a{margin-right:.8em}\
figure{margin:1.5em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}\
figcaption{color:#555;font-size:.9em}\
iframe.trace{width:100%;height:1150px;border:1px solid #ddd}\
pre{background:#f7f7f7;padding:1em;overflow-x:auto;font-size:.85em}\
footer{margin-top:3em;color:#888;font-size:.85em}";

fn head(page: &mut String, name: &str) {
    let _ = writeln!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — gnutsim report</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        escape(name)
    );
}

/// One line on the size of the experiment.
fn facts(page: &mut String, s: &Summary) {
    let mut points: Vec<u64> = s.rows.iter().map(|r| r.point).collect();
    points.sort_unstable();
    points.dedup();
    let mut reps: Vec<u64> = s
        .rows
        .iter()
        .filter_map(|r| r.replications)
        .map(|r| r as u64)
        .collect();
    reps.sort_unstable();
    reps.dedup();
    let reps = match reps.as_slice() {
        [] => "?".to_string(),
        [n] => n.to_string(),
        [a, .., b] => format!("{a} to {b}"),
    };
    let sweep = if s.keys.is_empty() {
        "no sweep".to_string()
    } else {
        format!("swept keys: {}", s.keys.join(", "))
    };
    let _ = writeln!(
        page,
        "<p class=\"facts\">{} point(s) × {} strateg{} × {} replication(s); {}.</p>",
        points.len(),
        s.strategies().len(),
        if s.strategies().len() == 1 {
            "y"
        } else {
            "ies"
        },
        escape(&reps),
        escape(&sweep)
    );
}

fn summary_table(page: &mut String, s: &Summary) {
    page.push_str(
        "<p>Each cell is the mean over replications ± the half-width of its 95% confidence interval \
         (Student t; two significant digits, the mean to the same decimals), as in summary.csv, which is \
         computed from runs.csv; — is undefined.</p>\n",
    );
    page.push_str("<div class=\"table\"><table>\n<thead><tr><th class=\"n\">point</th>");
    for k in &s.keys {
        let _ = write!(page, "<th>{}</th>", escape(k));
    }
    page.push_str("<th>strategy</th><th class=\"n\">replications</th>");
    for m in &s.metrics {
        let _ = write!(page, "<th class=\"n\">{}</th>", escape(m));
    }
    page.push_str("</tr></thead>\n<tbody>\n");
    for r in &s.rows {
        let _ = write!(page, "<tr><td class=\"n\">{}</td>", r.point);
        for v in &r.keys {
            let _ = write!(page, "<td>{}</td>", escape(v));
        }
        let reps = r.replications.map(|n| format!("{n}")).unwrap_or_default();
        let _ = write!(
            page,
            "<td>{}</td><td class=\"n\">{}</td>",
            escape(&r.strategy),
            escape(&reps)
        );
        for m in &s.metrics {
            match mean_ci(Summary::get(r, m)) {
                Some(text) => {
                    let _ = write!(page, "<td class=\"n\">{}</td>", escape(&text));
                }
                None => page.push_str("<td class=\"u\" title=\"undefined\">—</td>"),
            }
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</tbody></table></div>\n");
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648), for data URIs; small enough not to need a crate.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
