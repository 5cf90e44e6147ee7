//! The traced queries of a results folder (`traces/`): one animated page per strategy, written by `run` (point 0,
//! replication 0, traced on the world the run built) and shown by report.html in frames, so that every results
//! folder shows how its strategies move. The report links the pages (relative `src`) rather than copying them
//! in: they are the folder's files, and the report stays small.

use std::fmt::Write as _;
use std::path::Path;

use super::report::escape;
use crate::results::run::RunResult;

/// The folder of the traced queries, inside a results folder.
pub const TRACES: &str = "traces";

/// A strategy's file name stem: its name with anything but letters, digits, `-`, `_` and `.` made `_`.
pub fn stem(strategy: &str) -> String {
    strategy
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `traces/<strategy>.html` for each traced strategy, or `traces/<strategy>.txt` saying why it was left out.
pub fn files(results: &[RunResult]) -> Vec<(String, Vec<u8>)> {
    results
        .iter()
        .filter_map(|r| {
            let page = r.trace_page.as_ref()?;
            Some(match page {
                Ok(html) => (
                    format!("{TRACES}/{}.html", stem(&r.strategy)),
                    html.clone().into_bytes(),
                ),
                Err(why) => (
                    format!("{TRACES}/{}.txt", stem(&r.strategy)),
                    format!("{why}\n").into_bytes(),
                ),
            })
        })
        .collect()
}

/// The report's "Watch a query" section: a frame per strategy with a page, a note for one left out, nothing for
/// a folder without `traces/` (written before traced queries were kept).
pub fn section(page: &mut String, dir: &Path, strategies: &[String]) {
    if !dir.join(TRACES).is_dir() {
        return;
    }
    let _ = writeln!(
        page,
        "<h2>Watch a query</h2>\n<p>One query per strategy (the first of the run that succeeds, else the first; \
         point 0, replication 0), replayed in simulated time. Each is a page of its own in <code>{TRACES}/</code>; \
         press play, or step from message to message.</p>"
    );
    for (i, s) in strategies.iter().enumerate() {
        let stem = stem(s);
        let html = format!("{TRACES}/{stem}.html");
        if dir.join(&html).is_file() {
            let _ = writeln!(
                page,
                "<details{}><summary>{}</summary>\n<p><a href=\"{}\">open on its own page</a></p>\n\
                 <iframe class=\"trace\" src=\"{}\" title=\"a query of {}, replayed\" loading=\"lazy\"></iframe>\n</details>",
                if i == 0 { " open" } else { "" },
                escape(s),
                escape(&html),
                escape(&html),
                escape(s)
            );
        } else if let Ok(why) = std::fs::read_to_string(dir.join(format!("{TRACES}/{stem}.txt"))) {
            let _ = writeln!(
                page,
                "<p><b>{}</b>: not replayed here: {}</p>",
                escape(s),
                escape(why.trim())
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_frames_a_page_and_says_why_one_is_left_out() {
        let dir = std::env::temp_dir().join(format!("gnutsim-trace-report-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(TRACES)).unwrap();
        std::fs::write(dir.join("traces/flood.html"), "<!DOCTYPE html>").unwrap();
        std::fs::write(
            dir.join("traces/walk_2.txt"),
            "query 0 sends 30000 messages\n",
        )
        .unwrap();
        let mut page = String::new();
        section(
            &mut page,
            &dir,
            &["flood".into(), "walk 2".into(), "none".into()],
        );
        assert!(
            page.contains("<iframe class=\"trace\" src=\"traces/flood.html\""),
            "{page}"
        );
        assert!(
            page.contains("<b>walk 2</b>: not replayed here: query 0 sends 30000 messages"),
            "{page}"
        );
        assert!(!page.contains("none"), "{page}");
        let _ = std::fs::remove_dir_all(&dir);
        let mut empty = String::new();
        section(&mut empty, &dir, &["flood".into()]);
        assert!(empty.is_empty(), "no traces/, no section");
    }

    #[test]
    fn strategy_names_become_safe_file_names() {
        assert_eq!(stem("walk-32x1024"), "walk-32x1024");
        assert_eq!(stem("a b/c"), "a_b_c");
    }
}
