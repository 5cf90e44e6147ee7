//! Trace-driven churn: a CSV file of `peer,time,event` rows.
//!
//! Format:
//! - One row per change: `peer,time,event`, with `peer` a whole number from 0 to peers - 1, `time` in seconds
//!   (a finite decimal number, 0 to 1e12), `event` either `join` or `leave` (any letter case). Whitespace around
//!   fields is ignored.
//! - Blank lines and lines starting with `#` are skipped; the first other line may be the header
//!   `peer,time,event`.
//! - Rows need not be in time order: they are sorted stably by (time, peer), the schedule's order.
//!
//! Semantics:
//! - A peer whose first event is `leave` starts online; one whose first event is `join` starts offline; a peer
//!   with no events is online throughout.
//! - A peer's events must alternate (join, leave, join, ... or leave, join, ...) in time order: a repeated join or
//!   leave is an error naming its line and the line of the event before it.
//! - Times are rounded to whole microseconds. Two events of one peer at the same microsecond are an error (their
//!   order would be ambiguous). An event at time 0 is folded into the state at 0 (a `join` at 0 means the peer
//!   starts online) rather than listed as a change, since `events` holds changes strictly after 0.
//! - Events past the run's end are kept; they do not affect anything before them.
//!
//! Every error names the 1-based line at fault (0 for the whole file: unreadable, binary) and what is allowed.
//! No input makes this module panic.

use std::fmt;
use std::path::{Path, PathBuf};

use super::{ChurnEvent, ChurnSchedule};
use crate::dist::secs_to_us;

/// A bad churn-trace file, with the line at fault (0 when the whole file is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(
                f,
                "{}: line {}: {}",
                self.path.display(),
                self.line,
                self.message
            )
        }
    }
}

impl std::error::Error for TraceError {}

/// Largest accepted time, seconds (about 31,700 years): keeps every time well inside u64 microseconds.
pub const MAX_TIME_SECS: f64 = 1e12;

const FORMAT: &str = "a churn trace is CSV text with rows peer,time,event (event = join or leave)";

/// Reads a churn trace for a network of `peers` peers.
pub fn read(path: &Path, peers: u32) -> Result<ChurnSchedule, TraceError> {
    let whole = |message: String| TraceError {
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
            return Err(TraceError {
                path: path.to_path_buf(),
                line,
                message: format!("not UTF-8 text; {FORMAT}"),
            });
        }
    };
    parse(&text, peers, path)
}

/// One parsed row, before sorting.
struct Row {
    time_us: u64,
    peer: u32,
    join: bool,
    line: usize,
}

/// Parses the text of a churn trace (see the module doc); `path` only labels errors.
pub fn parse(text: &str, peers: u32, path: &Path) -> Result<ChurnSchedule, TraceError> {
    let err = |line: usize, message: String| TraceError {
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
            events.push(ChurnEvent {
                time_us: r.time_us,
                peer: r.peer,
                join: r.join,
            });
        }
    }
    drop(rows);
    Ok(ChurnSchedule::from_valid(initially_online, events))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    const SEC: u64 = 1_000_000;

    fn p(text: &str, peers: u32) -> Result<ChurnSchedule, TraceError> {
        parse(text, peers, Path::new("t.csv"))
    }

    fn ev(time_us: u64, peer: u32, join: bool) -> ChurnEvent {
        ChurnEvent {
            time_us,
            peer,
            join,
        }
    }

    #[test]
    fn hand_written_trace() {
        let text = "\u{feff}# churn trace for 5 peers\n\
                    peer, time, event\n\
                    \n\
                    \x20 3 , 20 , join \n\
                    0,10,leave\r\n\
                    0,30,join\n\
                    1,0,join\n\
                    1,25.5,leave\n\
                    2,5,join\n\
                    3,\t12.0,LEAVE\n\
                    # peer 4 has no events\n\
                    2,20,leave\n";
        let c = p(text, 5).unwrap();
        // 0: first event leave -> online; 1: join at 0 folded into the start -> online; 2: first join -> offline;
        // 3: first (in time) leave at 12 -> online; 4: no events -> online.
        assert_eq!(c.initially_online, vec![true, true, false, true, true]);
        // Sorted by time, then peer: at 20 s peer 2 (written last) comes before peer 3.
        let want = vec![
            ev(5 * SEC, 2, true),
            ev(10 * SEC, 0, false),
            ev(12 * SEC, 3, false),
            ev(20 * SEC, 2, false),
            ev(20 * SEC, 3, true),
            ev(25_500_000, 1, false),
            ev(30 * SEC, 0, true),
        ];
        assert_eq!(c.events, want);
        // Online: 4 on [0,5), 5 on [5,10), 4 on [10,12), 3 on [12,20), 3 on [20,25.5), 2 on [25.5,30), 3 after.
        // Over [0, 40 s): (20 + 25 + 8 + 24 + 16.5 + 9 + 30) / 40 = 132.5 / 40 = 3.3125 (exact in binary).
        assert_eq!(c.online_mean(0, 40 * SEC), 3.3125);
        // Over [10 s, 20 s): (4 * 2 + 3 * 8) / 10 = 3.2.
        assert!((c.online_mean(10 * SEC, 20 * SEC) - 3.2).abs() < 1e-12);
        assert_eq!(c.online_at(0), 4);
        assert_eq!(c.online_at(12 * SEC - 1), 4);
        assert_eq!(c.online_at(12 * SEC), 3);
        assert_eq!(c.online_at(20 * SEC), 3);
        assert!(ChurnSchedule::new(c.initially_online.clone(), c.events.clone()).is_ok());
    }

    #[test]
    fn empty_and_comment_only_traces_leave_everyone_online() {
        for text in ["", "\n\n", "# nothing\n", "peer,time,event\n"] {
            assert_eq!(p(text, 3), Ok(ChurnSchedule::always_online(3)));
        }
    }

    #[test]
    fn each_error_names_its_line() {
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
            match p(text, peers) {
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
        let c = read(&good, 2).unwrap();
        assert_eq!(c.initially_online, vec![true, true]);
        assert_eq!(c.events, vec![ev(2_500_000, 1, false)]);

        let missing = read(&dir.join("missing.csv"), 2).unwrap_err();
        assert_eq!(missing.line, 0);
        assert!(missing.message.contains("cannot read"), "{missing}");
        assert_eq!(read(&dir, 2).unwrap_err().line, 0, "a directory");

        let binary = write(
            "binary.csv",
            &[0x7f, b'E', b'L', b'F', 0, 0, 1, 2, 0xff, b'\n'],
        );
        let e = read(&binary, 2).unwrap_err();
        assert_eq!(e.line, 0);
        assert!(e.message.contains("not a text file"), "{e}");
        assert!(
            e.to_string()
                .starts_with(&format!("{}: not a text", binary.display()))
        );

        let latin1 = write("latin1.csv", b"# ok\n0,1,join\n# caf\xe9\n");
        let e = read(&latin1, 2).unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("not UTF-8"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn no_input_panics() {
        // Random bytes and random soups of meaningful and hostile tokens: every result is Ok or Err (a panic
        // fails the test), and every Ok schedule passes `ChurnSchedule::new`'s checks.
        let tokens = [
            "0",
            "1",
            "2",
            "3",
            "7",
            "-1",
            "+2",
            "4294967295",
            "4294967296",
            "18446744073709551616",
            "1e308",
            "1e-300",
            "-0",
            "0.0000004",
            "1e12",
            "inf",
            "NaN",
            "0x10",
            "join",
            "leave",
            "JOIN",
            "peer",
            "time",
            "event",
            "#",
            ",",
            ",",
            ",",
            "\n",
            "\n",
            "\r\n",
            " ",
            "\t",
            "\u{feff}",
            "é",
            "\0",
        ];
        let mut rng = rand_pcg::Pcg64::seed_from_u64(77);
        let mut accepted_with_events = 0;
        for case in 0..20_000 {
            let text = if case % 4 == 0 {
                let len = rng.random_range(0..200);
                let bytes: Vec<u8> = (0..len).map(|_| rng.random::<u8>()).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            } else if case % 4 == 1 {
                // Mostly well-formed rows with edge-case values: these reach the ordering and alternation checks.
                let n_rows = rng.random_range(1..4);
                let mut pick = |pool: &[&'static str]| pool[rng.random_range(0..pool.len())];
                (0..n_rows)
                    .map(|_| {
                        let peer = pick(&["0", "1", "2", " 1 ", "2", "-1", "9"]);
                        let time = pick(&[
                            "0", "1", "2.5", "1e12", "3", "-0", "nan", " 3 ", "4e-7", "7",
                        ]);
                        let event = pick(&["join", "leave", " JOIN ", "leave", "x"]);
                        format!("{peer},{time},{event}\n")
                    })
                    .collect::<String>()
            } else {
                let len = rng.random_range(0..60);
                (0..len)
                    .map(|_| tokens[rng.random_range(0..tokens.len())])
                    .collect()
            };
            let peers = rng.random_range(0..6);
            if let Ok(c) = p(&text, peers) {
                assert_eq!(c.peers(), peers);
                let again = ChurnSchedule::new(c.initially_online.clone(), c.events.clone());
                assert_eq!(again.as_ref(), Ok(&c), "{text:?}");
                accepted_with_events += !c.events.is_empty() as u32;
            }
        }
        // The soup above must reach the accepting path too (602 of the 20,000 cases do with this seed).
        assert!(accepted_with_events > 50, "{accepted_with_events}");
        // Well-formed rows in random order with random times: accepted exactly when alternation holds, which a
        // correct trace (built below from a generated schedule) always satisfies, in any row order.
        let mut rows = vec!["peer,time,event".to_string()];
        let mut want_events = Vec::new();
        for peer in 0..20u32 {
            let mut t = 0u64;
            for k in 0..10 {
                t += rng.random_range(1..5_000_000u64);
                rows.push(format!(
                    "{peer},{},{}",
                    t as f64 / 1e6,
                    if k % 2 == 0 { "leave" } else { "join" }
                ));
                want_events.push(ev(t, peer, k % 2 == 1));
            }
        }
        want_events.sort_by_key(|e| (e.time_us, e.peer));
        for i in (1..rows.len()).rev() {
            let j = rng.random_range(1..=i);
            rows.swap(i, j);
        }
        let c = p(&rows.join("\n"), 20).unwrap();
        assert_eq!(c.initially_online, vec![true; 20]);
        assert_eq!(c.events, want_events);
    }
}
