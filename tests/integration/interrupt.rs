//! An interrupted run (SIGINT or SIGTERM while simulating) leaves the previous results folder byte-identical
//! and no temporary folder.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::out_dir;

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .expect("folder")
        .map(|e| e.expect("entry"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).expect("file"),
            )
        })
        .collect();
    files.sort();
    files
}

fn interrupt_with(signal: &str) {
    let dir = out_dir(&format!("interrupt-{signal}"));
    fs::create_dir_all(&dir).expect("mkdir");
    // Not a runs.csv: CI spec-checks every test folder that has one, and this one is a stand-in.
    fs::write(dir.join("previous-results.txt"), "previous results\n").expect("write");
    fs::write(dir.join("note.txt"), "keep me\n").expect("write");
    let before = snapshot(&dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_gnutsim"))
        .args(["run", "scenarios/load-sharing.toml", "--quiet", "-o"])
        .arg(&dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::null())
        .spawn()
        .expect("gnutsim starts");
    std::thread::sleep(Duration::from_millis(1500));
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let code = child.wait().expect("gnutsim ends").code();
    assert_eq!(code, Some(130), "exit status after SIG{signal}");
    assert_eq!(snapshot(&dir), before, "the previous folder is untouched");
    let parent = dir.parent().expect("parent");
    let name = dir
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let leftovers: Vec<String> = fs::read_dir(parent)
        .expect("listable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|f| f.starts_with(&format!(".{name}.")))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary folders left: {leftovers:?}"
    );
}

#[test]
fn sigint_leaves_previous_results_untouched() {
    interrupt_with("INT");
}

#[test]
fn sigterm_leaves_previous_results_untouched() {
    interrupt_with("TERM");
}
