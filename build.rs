//! Build script: records the git revision of the source tree (for results folders' manifest.json), or nothing
//! when git or the repository is missing (a crate built from a tarball).

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let rev = git(&["rev-parse", "HEAD"]).unwrap_or_default();
    // Rebuild when HEAD moves: a commit changes the branch's ref, a checkout changes HEAD.
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        println!("cargo:rerun-if-changed={dir}/HEAD");
    }
    if let (Some(common), Some(name)) = (
        git(&["rev-parse", "--path-format=absolute", "--git-common-dir"]),
        git(&["symbolic-ref", "-q", "HEAD"]),
    ) {
        let ref_file = format!("{common}/{name}");
        if std::path::Path::new(&ref_file).exists() {
            println!("cargo:rerun-if-changed={ref_file}");
        }
        println!("cargo:rerun-if-changed={common}/packed-refs");
    }
    println!("cargo:rustc-env=GNUTSIM_GIT_REVISION={rev}");
}
