//! Architecture walls, checked on the source text: which layers a layer may not name, and how long a file's
//! code may grow. Data flows one way (scenario -> world -> engine -> metrics -> output); a lower layer naming
//! a higher one (even in a doc link) is a wall breached.
//!
//! Only the part of a file before its test module (`#[cfg(test)]` on a `mod`) is checked: tests may build whatever
//! they need.

use std::path::{Path, PathBuf};

/// (folder under src/, the top-level modules its files may not name as `crate::<module>`).
const WALLS: &[(&str, &[&str])] = &[
    (
        "scenario",
        &[
            "output",
            "topology",
            "churn",
            "engine",
            "runner",
            "protocols",
            "world",
            "adversaries",
            "metrics",
        ],
    ),
    ("protocols", &["engine", "output", "cli", "runner"]),
    ("engine", &["output", "cli", "runner"]),
    (
        "topology",
        &["engine", "output", "cli", "protocols", "churn"],
    ),
    ("output", &["engine", "runner", "protocols", "world"]),
];

/// Known breaches, (file, module it names), to be removed as they are fixed. An entry whose breach is gone fails
/// the test, so that the list cannot outlive what it excuses.
const ALLOWED_BREACHES: &[(&str, &str)] = &[];

/// Most lines of code a file may have (non-blank lines that do not start with `//`, before the test module).
const MAX_CODE_LINES: usize = 500;

/// Files allowed more, until they are split.
const LONG_FILES: &[&str] = &[];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every .rs file under src/, as ("src/...", text), paths with forward slashes.
fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    assert!(files.len() > 20, "found only {} source files", files.len());
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(root).expect("under the crate");
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let text = std::fs::read_to_string(&p).expect("source is UTF-8");
            (name, text)
        })
        .collect()
}

/// The lines before the file's test module.
fn before_tests(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    // The test module: `#[cfg(test)]` at the top level on a `mod` (not on a single import or item).
    let end = (0..lines.len())
        .find(|&i| {
            lines[i] == "#[cfg(test)]" && lines.get(i + 1).is_some_and(|l| l.starts_with("mod "))
        })
        .unwrap_or(lines.len());
    lines[..end].to_vec()
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The top-level modules named by the code, as (1-based line, module): `crate::name` paths (in code, comments
/// and doc links alike) and the first segment of each item of grouped imports, `use crate::{a, b::c, ...}`,
/// which may span lines.
fn named_modules(lines: &[&str]) -> Vec<(usize, String)> {
    let text = lines.join("\n");
    let line_at = |pos: usize| 1 + text[..pos].matches('\n').count();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("crate::") {
        let at = from + i + "crate::".len();
        from = at;
        // `xcrate::` or `my_crate::` is another path.
        if text[..at - "crate::".len()]
            .chars()
            .next_back()
            .is_some_and(is_ident)
        {
            continue;
        }
        let rest = &text[at..];
        if let Some(group) = rest.strip_prefix('{') {
            // The items of the group at depth 1: each item's first identifier.
            let mut depth = 1;
            let mut expect_item = true;
            let mut chars = group.char_indices().peekable();
            while let Some((k, c)) = chars.next() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => expect_item = true,
                    c if depth == 1 && expect_item && is_ident(c) => {
                        let mut name = c.to_string();
                        while let Some(&(_, d)) = chars.peek() {
                            if !is_ident(d) {
                                break;
                            }
                            name.push(d);
                            chars.next();
                        }
                        found.push((line_at(at + 1 + k), name));
                        expect_item = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
            if !name.is_empty() {
                found.push((line_at(at), name));
            }
        }
    }
    found
}

/// Breaches of the walls in (file, text): (line, module).
fn breaches(file: &str, text: &str) -> Vec<(usize, String)> {
    let forbidden: Vec<&str> = WALLS
        .iter()
        .filter(|(dir, _)| file.starts_with(&format!("src/{dir}/")))
        .flat_map(|(_, mods)| mods.iter().copied())
        .collect();
    named_modules(&before_tests(text))
        .into_iter()
        .filter(|(_, m)| forbidden.contains(&m.as_str()))
        .collect()
}

fn code_lines(text: &str) -> usize {
    before_tests(text)
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .count()
}

#[test]
fn layers_do_not_name_the_layers_above_them() {
    let mut failures = Vec::new();
    let mut excused = Vec::new();
    for (file, text) in sources() {
        for (line, module) in breaches(&file, &text) {
            if ALLOWED_BREACHES.contains(&(file.as_str(), module.as_str())) {
                excused.push((file.clone(), module));
            } else {
                failures.push(format!("{file}:{line}: names crate::{module}"));
            }
        }
    }
    for &(file, module) in ALLOWED_BREACHES {
        if !excused.iter().any(|(f, m)| f == file && m == module) {
            failures.push(format!(
                "{file}: no longer names crate::{module}; delete its ALLOWED_BREACHES entry"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "walls breached (see WALLS in tests/integration/walls.rs):\n{}",
        failures.join("\n")
    );
}

#[test]
fn files_stay_short() {
    let mut failures = Vec::new();
    for (file, text) in sources() {
        let n = code_lines(&text);
        let listed = LONG_FILES.contains(&file.as_str());
        if n > MAX_CODE_LINES && !listed {
            failures.push(format!(
                "{file}:1: {n} lines of code, at most {MAX_CODE_LINES}"
            ));
        } else if n <= MAX_CODE_LINES && listed {
            failures.push(format!(
                "{file}: {n} lines of code, within the limit; delete its LONG_FILES entry"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "files too long (split them by job):\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_checks_see_what_they_must() {
    // Paths, doc links and grouped imports (across lines) are all seen; tests and other crates' paths are not.
    let text = "use crate::dist::Dist;\n\
                /// See [`crate::engine::run`].\n\
                use crate::{\n    error::Error,\n    output::{self, format},\n    world,\n};\n\
                use my_crate::runner;\n\
                fn f() { crate::churn::generate(); }\n\
                #[cfg(test)]\n\
                mod tests { use crate::metrics::RunMetrics; }\n";
    let got = breaches("src/scenario/x.rs", text);
    let want: Vec<(usize, String)> = [(2, "engine"), (5, "output"), (6, "world"), (9, "churn")]
        .into_iter()
        .map(|(l, m)| (l, m.to_string()))
        .collect();
    assert_eq!(got, want);
    assert!(
        breaches("src/world.rs", text).is_empty(),
        "no wall for world.rs"
    );
    assert_eq!(
        code_lines(
            "// a\n\nfn a() {}\n  /// b\nfn b() {}\n#[cfg(test)]\nmod tests {}\nfn c() {}\n"
        ),
        2
    );
    // A test-only import does not hide the rest of the file.
    assert_eq!(
        code_lines("#[cfg(test)]\nuse x::Y;\nfn a() {}\n#[cfg(test)]\nmod tests;\n"),
        3
    );
}
