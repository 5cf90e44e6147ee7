//! The files a scenario names, read and checked once, when the scenario is validated (so that `check` reports a
//! bad line): an edge list (`[topology] kind = "edgelist"`) and a churn trace (`[churn] trace`). Pure parsing into
//! plain data, which the scenario carries (shared, in an `Arc`) to whoever builds a world from it: topology wires
//! the links, churn builds the schedule. Neither file is read again.
//!
//! Every problem is reported with the file and its 1-based line (0 when the file itself cannot be read or is not
//! text), never a panic.
//!
//! Edge lists: one undirected link per line, `A B` (two peer ids separated by spaces or tabs). Blank lines and
//! lines whose first non-blank character is `#` are skipped. A link may appear once (in either order), never
//! from a peer to itself.
//!
//! Churn traces: a CSV file of `peer,time,event` rows.
//! - One row per change: `peer,time,event`, with `peer` a whole number from 0 to peers - 1, `time` in seconds
//!   (a finite decimal number, 0 to 1e12), `event` either `join` or `leave` (any letter case). Whitespace around
//!   fields is ignored.
//! - Blank lines and lines starting with `#` are skipped; the first other line may be the header
//!   `peer,time,event`.
//! - Rows need not be in time order: they are sorted stably by (time, peer), the schedule's order.
//! - A peer whose first event is `leave` starts online; one whose first event is `join` starts offline; a peer
//!   with no events is online throughout.
//! - A peer's events must alternate (join, leave, join, ... or leave, join, ...) in time order: a repeated join or
//!   leave is an error naming its line and the line of the event before it.
//! - Times are rounded to whole microseconds. Two events of one peer at the same microsecond are an error (their
//!   order would be ambiguous). An event at time 0 is folded into the state at 0 (a `join` at 0 means the peer
//!   starts online) rather than listed as a change, since `events` holds changes strictly after 0.
//! - Events past the run's end are kept; they do not affect anything before them.

use std::collections::hash_map::Entry;
use std::fmt;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::dist::secs_to_us;
use crate::error::FileLineError;

// ---------------------------------------------------------------------------------------------------------
// Edge lists.

/// The links of an edge-list file read for a network of `peers` peers: distinct pairs of distinct peers, each
/// id below `peers`, in file order.
#[derive(Clone, PartialEq, Eq)]
pub struct EdgeList {
    pub path: PathBuf,
    pub peers: u32,
    pub edges: Vec<(u32, u32)>,
}

/// A summary: a scenario's `Debug` output should not list a million links.
impl fmt::Debug for EdgeList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EdgeList")
            .field("path", &self.path)
            .field("peers", &self.peers)
            .field("links", &self.edges.len())
            .finish()
    }
}

fn error(path: &Path, line: usize, message: String) -> FileLineError {
    FileLineError::new(path, line, message)
}

/// Reads an edge-list file for a network of `peers` peers.
pub fn read_edge_list(path: &Path, peers: u32) -> Result<EdgeList, FileLineError> {
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
    parse_edge_list(text, peers, path)
}

/// Parses edge-list text; `path` is only used in error messages.
pub fn parse_edge_list(text: &str, peers: u32, path: &Path) -> Result<EdgeList, FileLineError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // First line of each link, to name it when the link comes again.
    let mut first_line: FxHashMap<u64, usize> = FxHashMap::default();
    let mut edges: Vec<(u32, u32)> = Vec::new();
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
    Ok(EdgeList {
        path: path.to_path_buf(),
        peers,
        edges,
    })
}

/// The two peer ids of a non-blank, non-comment line, or what is wrong with it.
fn parse_line(content: &str, peers: u32) -> Result<(u32, u32), String> {
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

fn peer_id(token: &str, peers: u32) -> Result<u32, String> {
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
        Ok(id) if id < peers as u64 => Ok(id as u32),
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

// ---------------------------------------------------------------------------------------------------------
// Churn traces.

/// A change of a peer's state in a churn trace, at `time_us` > 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceEvent {
    pub time_us: u64,
    pub peer: u32,
    pub join: bool,
}

/// A churn trace read for a network of `initially_online.len()` peers: who is online at time 0 and every change
/// after it, sorted by (time, peer), each peer's changes alternating.
#[derive(Clone, PartialEq, Eq)]
pub struct ChurnTrace {
    pub path: PathBuf,
    pub initially_online: Vec<bool>,
    pub events: Vec<TraceEvent>,
}

/// A summary: a scenario's `Debug` output should not list a million events.
impl fmt::Debug for ChurnTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChurnTrace")
            .field("path", &self.path)
            .field("peers", &self.initially_online.len())
            .field("events", &self.events.len())
            .finish()
    }
}

impl ChurnTrace {
    pub fn peers(&self) -> u32 {
        self.initially_online.len() as u32
    }

    /// The online count right after the changes at or before `t_us`, and its integral over [0, t_us) in
    /// peer-microseconds, summed in event order exactly as `churn::ChurnSchedule` sums its index (so both give
    /// the same bits).
    fn count_and_area(&self, t_us: u64) -> (u32, f64) {
        let mut count = self.initially_online.iter().filter(|&&o| o).count() as u32;
        let (mut prev_t, mut area) = (0u64, 0f64);
        for e in self.events.iter().take_while(|e| e.time_us <= t_us) {
            area += count as f64 * (e.time_us - prev_t) as f64;
            // Alternation was checked when reading, so this neither underflows nor overflows.
            count = if e.join { count + 1 } else { count - 1 };
            prev_t = e.time_us;
        }
        (count, area + count as f64 * (t_us - prev_t) as f64)
    }

    /// Time-averaged number of online peers over [a_us, b_us), as the churn schedule built from this trace
    /// computes it (one pass over the events); an empty interval gives the count at a_us.
    pub fn online_mean(&self, a_us: u64, b_us: u64) -> f64 {
        if b_us <= a_us {
            return self.count_and_area(a_us).0 as f64;
        }
        (self.count_and_area(b_us).1 - self.count_and_area(a_us).1) / (b_us - a_us) as f64
    }
}

/// Largest accepted time, seconds (about 31,700 years): keeps every time well inside u64 microseconds.
pub const MAX_TIME_SECS: f64 = 1e12;

const FORMAT: &str = "a churn trace is CSV text with rows peer,time,event (event = join or leave)";

/// Reads a churn trace for a network of `peers` peers.
pub fn read_churn_trace(path: &Path, peers: u32) -> Result<ChurnTrace, FileLineError> {
    let whole = |message: String| FileLineError {
        path: path.to_path_buf(),
        line: 0,
        message,
    };
    let bytes =
        std::fs::read(path).map_err(|e| whole(format!("cannot read the churn trace: {e}")))?;
    if bytes.contains(&0) {
        return Err(whole(format!(
            "not a text file (it contains NUL bytes); {FORMAT}"
        )));
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = 1 + upto.iter().filter(|&&b| b == b'\n').count();
            return Err(FileLineError {
                path: path.to_path_buf(),
                line,
                message: format!("not UTF-8 text; {FORMAT}"),
            });
        }
    };
    parse_churn_trace(&text, peers, path)
}

/// One parsed row, before sorting.
struct Row {
    time_us: u64,
    peer: u32,
    join: bool,
    line: usize,
}

/// Parses the text of a churn trace (see the format above); `path` only labels errors.
pub fn parse_churn_trace(text: &str, peers: u32, path: &Path) -> Result<ChurnTrace, FileLineError> {
    let err = |line: usize, message: String| FileLineError {
        path: path.to_path_buf(),
        line,
        message,
    };
    let peer_range = if peers == 0 {
        "this network has no peers".to_string()
    } else {
        format!("peers are numbered 0 to {}", peers - 1)
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut header_allowed = true;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = l.split(',').map(str::trim).collect();
        if std::mem::take(&mut header_allowed)
            && fields.len() == 3
            && ["peer", "time", "event"]
                .iter()
                .zip(&fields)
                .all(|(h, f)| h.eq_ignore_ascii_case(f))
        {
            continue;
        }
        let [peer, time, event] = fields[..] else {
            return Err(err(
                line,
                format!(
                    "expected 3 comma-separated fields peer,time,event, found {}",
                    fields.len()
                ),
            ));
        };
        let peer = match peer.parse::<u64>() {
            Ok(p) if p < peers as u64 => p as u32,
            Ok(p) => return Err(err(line, format!("peer {p} is out of range: {peer_range}"))),
            Err(_) => {
                return Err(err(
                    line,
                    format!("peer \"{peer}\" is not a whole number ({peer_range})"),
                ));
            }
        };
        let secs = match time.parse::<f64>() {
            Ok(t) if t.is_finite() && (0.0..=MAX_TIME_SECS).contains(&t) => t,
            _ => {
                return Err(err(
                    line,
                    format!(
                        "time \"{time}\" is not a number of seconds from 0 to {MAX_TIME_SECS:e}"
                    ),
                ));
            }
        };
        let join = if event.eq_ignore_ascii_case("join") {
            true
        } else if event.eq_ignore_ascii_case("leave") {
            false
        } else {
            return Err(err(
                line,
                format!("unknown event \"{event}\" (allowed: join, leave)"),
            ));
        };
        rows.push(Row {
            time_us: secs_to_us(secs),
            peer,
            join,
            line,
        });
    }
    // Stable: rows of one peer at one time stay in file order, so the duplicate named below is the later line.
    rows.sort_by_key(|r| (r.time_us, r.peer));

    // Per peer: 0 = no event yet, 1 = last event was a join, 2 = a leave. One byte a peer; the line of the
    // previous event is looked up only when there is an error to report.
    let mut last = vec![0u8; peers as usize];
    let mut initially_online = vec![true; peers as usize];
    let mut events = Vec::with_capacity(rows.len());
    for (k, r) in rows.iter().enumerate() {
        let p = r.peer as usize;
        let what = if r.join { "join" } else { "leave" };
        // Sorted by (time, peer): a same-time duplicate is the row just before.
        if let Some(q) = k.checked_sub(1).map(|j| &rows[j])
            && (q.time_us, q.peer) == (r.time_us, r.peer)
        {
            return Err(err(
                r.line,
                format!(
                    "peer {} has a second event at {} s (the other is on line {}); a peer's events need \
                     distinct times (rounded to whole microseconds)",
                    r.peer,
                    r.time_us as f64 / 1e6,
                    q.line
                ),
            ));
        }
        match last[p] {
            0 => initially_online[p] = !r.join,
            s if (s == 1) == r.join => {
                // Only on error: the previous event of this peer, for the message.
                let before = rows[..k]
                    .iter()
                    .rev()
                    .find(|q| q.peer == r.peer)
                    .map_or(0, |q| q.line);
                return Err(err(
                    r.line,
                    format!(
                        "peer {} has a {what} at {} s right after another {what} (line {before}); a \
                         peer's events must alternate join, leave, join, ... in time order",
                        r.peer,
                        r.time_us as f64 / 1e6
                    ),
                ));
            }
            _ => {}
        }
        last[p] = if r.join { 1 } else { 2 };
        if r.time_us == 0 {
            // The state at 0 includes changes at 0 (at most one per peer, its first).
            initially_online[p] = r.join;
        } else {
            events.push(TraceEvent {
                time_us: r.time_us,
                peer: r.peer,
                join: r.join,
            });
        }
    }
    drop(rows);
    Ok(ChurnTrace {
        path: path.to_path_buf(),
        initially_online,
        events,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("links.txt")
    }

    #[test]
    fn comments_blank_lines_and_spacing_are_accepted() {
        let text = "\u{feff}# header\n\n  0 1\r\n\t2\t3  \n   # indented comment\n1 2\n";
        let list = parse_edge_list(text, 4, p()).expect("valid");
        assert_eq!(list.edges, vec![(0, 1), (2, 3), (1, 2)]);
    }

    fn line_of(text: &str, peers: u32) -> (usize, String) {
        let e = parse_edge_list(text, peers, p()).expect_err("invalid");
        (e.line, e.message)
    }

    #[test]
    fn each_edge_list_error_names_its_line() {
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
            let e = parse_edge_list(text, 5, p()).expect_err(text);
            assert!(e.line >= 1 && !e.message.is_empty());
            assert!(
                e.message.chars().count() < 400,
                "message too long: {}",
                e.message
            );
        }
        assert_eq!(parse_edge_list("", 5, p()).map(|l| l.edges), Ok(vec![]));
    }

    #[test]
    fn read_reports_unreadable_and_binary_files() {
        let dir = std::env::temp_dir().join(format!("gnutsim-edgelist-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let missing = dir.join("missing.txt");
        let e = read_edge_list(&missing, 5).expect_err("missing");
        assert_eq!((e.line, e.path.clone()), (0, missing));
        assert!(e.message.contains("cannot read"));
        let e = read_edge_list(&dir, 5).expect_err("a directory");
        assert_eq!(e.line, 0);
        let binary = dir.join("binary.bin");
        std::fs::write(&binary, b"0 1\n1 2\n\xff\xfe\x00\x80\n").expect("write");
        let e = read_edge_list(&binary, 5).expect_err("binary");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("not UTF-8"), "{}", e.message);
        assert_eq!(
            e.to_string(),
            format!("{}: line 3: {}", binary.display(), e.message)
        );
        let good = dir.join("good.txt");
        std::fs::write(&good, "# two links\n0 1\n3 2\n").expect("write");
        let list = read_edge_list(&good, 50).expect("good");
        assert_eq!(
            (list.path, list.peers, list.edges),
            (good, 50, vec![(0, 1), (3, 2)])
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn each_trace_error_names_its_line() {
        let cases: &[(&str, u32, usize, &str)] = &[
            ("0,1,join,extra", 4, 1, "3 comma-separated fields"),
            ("0,1", 4, 1, "found 2"),
            (
                "# c\n\nx,1,join",
                4,
                3,
                "\"x\" is not a whole number (peers are numbered 0 to 3)",
            ),
            ("-1,1,join", 4, 1, "not a whole number"),
            ("1.5,1,join", 4, 1, "not a whole number"),
            ("99999999999999999999999,1,join", 4, 1, "not a whole number"),
            (
                "0,1,join\n4,1,join",
                4,
                2,
                "peer 4 is out of range: peers are numbered 0 to 3",
            ),
            ("0,1,join", 0, 1, "this network has no peers"),
            ("0,abc,join", 4, 1, "not a number of seconds from 0 to 1e12"),
            ("0,,join", 4, 1, "not a number of seconds"),
            ("0,-1,join", 4, 1, "not a number of seconds"),
            ("0,NaN,join", 4, 1, "not a number of seconds"),
            ("0,inf,join", 4, 1, "not a number of seconds"),
            ("0,1e13,join", 4, 1, "not a number of seconds"),
            ("0,1e400,join", 4, 1, "not a number of seconds"),
            (
                "0,1,jump",
                4,
                1,
                "unknown event \"jump\" (allowed: join, leave)",
            ),
            ("0,1,", 4, 1, "unknown event"),
            // A header is only allowed as the first row.
            ("0,1,join\npeer,time,event", 4, 2, "not a whole number"),
            // Repeated join: in time order join@1 (line 1), join@3 (line 3), leave@5.
            (
                "0,1,join\n0,5,leave\n0,3,join",
                4,
                3,
                "join at 3 s right after another join (line 1)",
            ),
            // Repeated leave, rows out of time order: leave@2 (line 2) then leave@4 (line 1).
            (
                "1,4,leave\n1,2,leave",
                4,
                1,
                "leave at 4 s right after another leave (line 2)",
            ),
            // Both round to 1,000,000 µs.
            (
                "0,1,join\n0,1.0000001,leave",
                4,
                2,
                "second event at 1 s (the other is on line 1)",
            ),
            ("2,0,leave\n2,0,join", 4, 2, "second event at 0 s"),
        ];
        for &(text, peers, line, msg) in cases {
            match parse_churn_trace(text, peers, Path::new("t.csv")) {
                Ok(c) => panic!("{text:?}: accepted as {c:?}"),
                Err(e) => {
                    assert_eq!(e.line, line, "{text:?}: {e}");
                    assert!(e.message.contains(msg), "{text:?}: {e}");
                    assert!(e.to_string().starts_with(&format!("t.csv: line {line}: ")));
                }
            }
        }
    }

    #[test]
    fn read_reports_file_level_errors_at_line_0() {
        let dir = std::env::temp_dir().join(format!("gnutsim-churn-trace-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, bytes: &[u8]| {
            let f = dir.join(name);
            std::fs::write(&f, bytes).unwrap();
            f
        };
        let good = write("good.csv", b"peer,time,event\n1,2.5,leave\n");
        let c = read_churn_trace(&good, 2).unwrap();
        assert_eq!(c.initially_online, vec![true, true]);
        assert_eq!(
            c.events,
            vec![TraceEvent {
                time_us: 2_500_000,
                peer: 1,
                join: false
            }]
        );

        let missing = read_churn_trace(&dir.join("missing.csv"), 2).unwrap_err();
        assert_eq!(missing.line, 0);
        assert!(missing.message.contains("cannot read"), "{missing}");
        assert_eq!(
            read_churn_trace(&dir, 2).unwrap_err().line,
            0,
            "a directory"
        );

        let binary = write(
            "binary.csv",
            &[0x7f, b'E', b'L', b'F', 0, 0, 1, 2, 0xff, b'\n'],
        );
        let e = read_churn_trace(&binary, 2).unwrap_err();
        assert_eq!(e.line, 0);
        assert!(e.message.contains("not a text file"), "{e}");
        assert!(
            e.to_string()
                .starts_with(&format!("{}: not a text", binary.display()))
        );

        let latin1 = write("latin1.csv", b"# ok\n0,1,join\n# caf\xe9\n");
        let e = read_churn_trace(&latin1, 2).unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("not UTF-8"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
