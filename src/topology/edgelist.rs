//! Edge-list files: one undirected link per line, `A B` (two peer ids separated by spaces or tabs). Blank
//! lines and lines whose first non-blank character is `#` are skipped. The file is user input: every problem
//! is reported with its 1-based line number (0 when the file itself cannot be read), never a panic.
//!
//! Also writes edge lists ([`write`], which [`parse`] reads back to the identical graph) and Graphviz drawings
//! ([`to_dot`]).

use std::collections::hash_map::Entry;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::graph::{Graph, PeerId};

/// A bad edge-list file, with the line at fault (0 when the whole file is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgeListError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for EdgeListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(
                f,
                "{}, line {}: {}",
                self.path.display(),
                self.line,
                self.message
            )
        }
    }
}

impl std::error::Error for EdgeListError {}

fn error(path: &Path, line: usize, message: String) -> EdgeListError {
    EdgeListError {
        path: path.to_path_buf(),
        line,
        message,
    }
}

/// Reads an edge-list file for a network of `peers` peers.
pub fn read(path: &Path, peers: u32) -> Result<Graph, EdgeListError> {
    let bytes = std::fs::read(path)
        .map_err(|e| error(path, 0, format!("cannot read the edge-list file: {e}")))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        error(
            path,
            line,
            "is not UTF-8 text (is this a binary file?): an edge list is plain text with one link, \
             `A B`, per line"
                .into(),
        )
    })?;
    parse(text, peers, path)
}

/// Parses edge-list text; `path` is only used in error messages.
pub fn parse(text: &str, peers: u32, path: &Path) -> Result<Graph, EdgeListError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // First line of each link, to name it when the link comes again.
    let mut first_line: FxHashMap<u64, usize> = FxHashMap::default();
    let mut edges: Vec<(PeerId, PeerId)> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let (a, b) = parse_line(content, peers).map_err(|m| error(path, line, m))?;
        if a == b {
            return Err(error(
                path,
                line,
                format!("links peer {a} to itself: a link joins two different peers"),
            ));
        }
        let key = ((a.min(b) as u64) << 32) | a.max(b) as u64;
        match first_line.entry(key) {
            Entry::Occupied(e) => {
                return Err(error(
                    path,
                    line,
                    format!(
                        "repeats the link between peers {a} and {b}, already given on line {}: each link \
                         may appear once (in either order)",
                        e.get()
                    ),
                ));
            }
            Entry::Vacant(e) => {
                e.insert(line);
                edges.push((a, b));
            }
        }
    }
    Ok(Graph::from_edges(peers as usize, &edges))
}

/// The two peer ids of a non-blank, non-comment line, or what is wrong with it.
fn parse_line(content: &str, peers: u32) -> Result<(PeerId, PeerId), String> {
    if content.contains('\0') {
        return Err(
            "contains a NUL byte (is this a binary file?): an edge list is plain text with \
                    one link, `A B`, per line"
                .into(),
        );
    }
    let mut tokens = content.split_whitespace();
    match (tokens.next(), tokens.next(), tokens.next()) {
        (Some(a), Some(b), None) => Ok((peer_id(a, peers)?, peer_id(b, peers)?)),
        _ => Err(format!(
            "`{}` is not a link: a line holds exactly two peer ids separated by whitespace, such as \
             `3 17` (comments go on their own line, starting with #)",
            shorten(content)
        )),
    }
}

fn peer_id(token: &str, peers: u32) -> Result<PeerId, String> {
    if !token.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "`{}` is not a peer id: ids are non-negative whole numbers written with the digits 0-9",
            shorten(token)
        ));
    }
    let range = match peers {
        0 => "this network has no peers".to_string(),
        p => format!("ids run from 0 to {} (peers = {p})", p - 1),
    };
    match token.parse::<u64>() {
        Ok(id) if id < peers as u64 => Ok(id as PeerId),
        _ => Err(format!(
            "peer id {} is out of range: {range}",
            shorten(token)
        )),
    }
}

/// At most 40 characters of user text, with control characters escaped, for error messages.
fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(40).flat_map(char::escape_debug).collect();
    if s.chars().nth(40).is_some() {
        out.push('…');
    }
    out
}

/// The edge list of `g`: a comment line, then `A B` with A < B, one link per line, sorted.
pub fn write(g: &Graph) -> String {
    let mut out = String::with_capacity(16 * g.edge_count() + 64);
    let _ = writeln!(
        out,
        "# gnutsim edge list: {} peers, {} links",
        g.len(),
        g.edge_count()
    );
    for (a, b) in g.edges() {
        let _ = writeln!(out, "{a} {b}");
    }
    out
}

/// An undirected Graphviz drawing of `g`. Ultrapeers (when given) are filled boxes, other peers circles;
/// every peer is listed, so isolated peers show too. Links in `highlight` (either order) are drawn bold and
/// red, e.g. the links that carried a query; pairs that are not links of `g` are ignored.
pub fn to_dot(g: &Graph, ultrapeers: Option<&[bool]>, highlight: &[(PeerId, PeerId)]) -> String {
    let marked: FxHashSet<(PeerId, PeerId)> = highlight
        .iter()
        .map(|&(a, b)| (a.min(b), a.max(b)))
        .collect();
    let mut out = String::with_capacity(24 * (g.len() + g.edge_count()) + 128);
    out.push_str("graph gnutsim {\n  node [shape=circle, fontsize=10];\n");
    for v in 0..g.len() as PeerId {
        let is_up = ultrapeers.is_some_and(|u| u.get(v as usize).copied().unwrap_or(false));
        if is_up {
            let _ = writeln!(
                out,
                "  {v} [shape=box, style=filled, fillcolor=\"#9ecae1\"];"
            );
        } else {
            let _ = writeln!(out, "  {v};");
        }
    }
    for (a, b) in g.edges() {
        if marked.contains(&(a, b)) {
            let _ = writeln!(out, "  {a} -- {b} [color=red, penwidth=3, style=bold];");
        } else {
            let _ = writeln!(out, "  {a} -- {b};");
        }
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};
    use crate::topology::random::erdos_renyi;

    fn p() -> &'static Path {
        Path::new("links.txt")
    }

    #[test]
    fn write_then_parse_is_the_identity() {
        let mut rng = stream(61, Stream::Topology);
        // Include isolated peers: 300 peers, 200 links.
        for g in [
            erdos_renyi(300, 1.33, &mut rng),
            erdos_renyi(2000, 8.0, &mut rng),
            Graph::from_edges(3, &[]),
        ] {
            let text = write(&g);
            let header = format!(
                "# gnutsim edge list: {} peers, {} links",
                g.len(),
                g.edge_count()
            );
            assert_eq!(text.lines().next(), Some(header.as_str()));
            assert_eq!(text.lines().count(), 1 + g.edge_count());
            assert_eq!(parse(&text, g.len() as u32, p()), Ok(g));
        }
    }

    #[test]
    fn comments_blank_lines_and_spacing_are_accepted() {
        let text = "\u{feff}# header\n\n  0 1\r\n\t2\t3  \n   # indented comment\n1 2\n";
        let g = parse(text, 4, p()).expect("valid");
        assert_eq!(g, Graph::from_edges(4, &[(0, 1), (2, 3), (1, 2)]));
    }

    fn line_of(text: &str, peers: u32) -> (usize, String) {
        let e = parse(text, peers, p()).expect_err("invalid");
        (e.line, e.message)
    }

    #[test]
    fn each_error_names_its_line() {
        let cases: [(&str, usize, &str); 12] = [
            ("0 1\n1 2 3\n", 2, "exactly two peer ids"),
            ("0 1\n\n7\n", 3, "exactly two peer ids"),
            ("# c\n0 1 # trailing\n", 2, "exactly two peer ids"),
            ("0 x\n", 1, "`x` is not a peer id"),
            ("-1 2\n", 1, "`-1` is not a peer id"),
            ("+1 2\n", 1, "`+1` is not a peer id"),
            ("1.0 2\n", 1, "`1.0` is not a peer id"),
            (
                "0 1\n0 10\n",
                2,
                "peer id 10 is out of range: ids run from 0 to 9",
            ),
            ("0 99999999999999999999999\n", 1, "out of range"),
            ("0 1\n4 4\n", 2, "links peer 4 to itself"),
            ("0 1\n2 3\n0 1\n", 3, "already given on line 1"),
            ("0 1\n# c\n\n1 0\n", 4, "already given on line 1"),
        ];
        for (text, line, needle) in cases {
            let (got, message) = line_of(text, 10);
            assert_eq!(got, line, "{text:?}: {message}");
            assert!(message.contains(needle), "{text:?}: {message}");
        }
        let (_, message) = line_of("0 0\n", 0);
        assert!(message.contains("out of range: this network has no peers"));
    }

    #[test]
    fn nasty_input_gives_errors_not_panics() {
        let long = "9".repeat(10_000);
        let inputs = [
            "\0\0\0\0".to_string(),
            "0 1\n\u{1}\u{2}\u{3}".to_string(),
            "é ü\n".to_string(),
            "１ ２\n".to_string(), // full-width digits are not ASCII digits
            format!("{long} 1\n"),
            format!("0 {long}x\n"),
            "0 1\r2 3\n".to_string(),
            "\u{feff}\u{feff}0 1".to_string(),
        ];
        for text in &inputs {
            let e = parse(text, 5, p()).expect_err(text);
            assert!(e.line >= 1 && !e.message.is_empty());
            assert!(
                e.message.chars().count() < 400,
                "message too long: {}",
                e.message
            );
        }
        assert_eq!(parse("", 5, p()), Ok(Graph::from_edges(5, &[])));
    }

    #[test]
    fn read_reports_unreadable_and_binary_files() {
        let dir = std::env::temp_dir().join(format!("gnutsim-edgelist-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let missing = dir.join("missing.txt");
        let e = read(&missing, 5).expect_err("missing");
        assert_eq!((e.line, e.path.clone()), (0, missing));
        assert!(e.message.contains("cannot read"));
        let e = read(&dir, 5).expect_err("a directory");
        assert_eq!(e.line, 0);
        let binary = dir.join("binary.bin");
        std::fs::write(&binary, b"0 1\n1 2\n\xff\xfe\x00\x80\n").expect("write");
        let e = read(&binary, 5).expect_err("binary");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("not UTF-8"), "{}", e.message);
        assert_eq!(
            e.to_string(),
            format!("{}, line 3: {}", binary.display(), e.message)
        );
        let good = dir.join("good.txt");
        let g = erdos_renyi(50, 3.0, &mut stream(62, Stream::Topology));
        std::fs::write(&good, write(&g)).expect("write");
        assert_eq!(read(&good, 50), Ok(g));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn dot_marks_ultrapeers_and_highlighted_links() {
        let g = Graph::from_edges(4, &[(0, 1), (1, 2), (2, 3)]);
        let dot = to_dot(&g, Some(&[true, false, false, false]), &[(2, 1), (0, 3)]);
        assert!(dot.starts_with("graph gnutsim {\n") && dot.ends_with("}\n"));
        assert!(dot.contains("  0 [shape=box, style=filled"));
        assert!(dot.contains("  3;\n"));
        assert!(dot.contains("  1 -- 2 [color=red, penwidth=3, style=bold];\n"));
        assert!(dot.contains("  0 -- 1;\n") && dot.contains("  2 -- 3;\n"));
        assert!(!dot.contains("0 -- 3"), "non-links are not drawn");
        assert_eq!(dot.matches(" -- ").count(), 3);
        // A short ultrapeer slice is not a panic.
        assert!(to_dot(&g, Some(&[]), &[]).contains("  0;\n"));
    }
}
