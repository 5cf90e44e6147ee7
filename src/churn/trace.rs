//! Trace-driven churn: the schedule of a churn trace read and checked when the scenario was validated (format,
//! semantics and errors in [`crate::scenario::files`]).

use super::{ChurnEvent, ChurnSchedule};
use crate::error::FileLineError;
use crate::scenario::files::ChurnTrace;

/// The schedule of a trace read for a network of `peers` peers. The trace was checked when read (sorted,
/// alternating, every peer in range); one read for another network size is refused.
pub fn schedule(trace: &ChurnTrace, peers: u32) -> Result<ChurnSchedule, FileLineError> {
    if trace.peers() != peers {
        return Err(FileLineError::new(
            &trace.path,
            0,
            format!(
                "was read for {} peers, but the network has {peers}: read it again for this network",
                trace.peers()
            ),
        ));
    }
    let events = trace
        .events
        .iter()
        .map(|e| ChurnEvent {
            time_us: e.time_us,
            peer: e.peer,
            join: e.join,
        })
        .collect();
    Ok(ChurnSchedule::from_valid(
        trace.initially_online.clone(),
        events,
    ))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::scenario::files::parse_churn_trace;
    use rand::{RngExt, SeedableRng};

    const SEC: u64 = 1_000_000;

    fn p(text: &str, peers: u32) -> Result<ChurnSchedule, FileLineError> {
        let trace = parse_churn_trace(text, peers, Path::new("t.csv"))?;
        let schedule = schedule(&trace, peers)?;
        // The trace's own online count is the schedule's, to the bit.
        for (a, b) in [
            (0, 1),
            (0, 40 * SEC),
            (10 * SEC, 20 * SEC),
            (3 * SEC, 3 * SEC),
        ] {
            assert_eq!(
                trace.online_mean(a, b).to_bits(),
                schedule.online_mean(a, b).to_bits()
            );
        }
        Ok(schedule)
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
        let trace = parse_churn_trace(text, 5, Path::new("t.csv")).unwrap();
        assert!(
            schedule(&trace, 4)
                .unwrap_err()
                .message
                .contains("read for 5 peers")
        );
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
