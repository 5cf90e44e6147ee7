//! Errors that reach the user. A bad scenario or command line is exit status 2, anything else 1.

use std::fmt;
use std::path::PathBuf;

/// Where a scenario value came from, so an error can point at it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A line (1-based) of the scenario file.
    Line(u32),
    /// A `--set KEY=VALUE` argument, quoted as the user wrote it.
    Set(String),
    /// A `[sweep]` value (its line in the scenario file).
    Sweep(u32),
    /// A default filled in by gnutsim.
    Default,
}

/// A scenario (or scenario-side file) that cannot be used, with file, line and key.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioError {
    pub file: PathBuf,
    pub origin: Origin,
    /// Full dotted key, e.g. `network.peers` or `strategy.flood-ttl7.ttl`; empty when the whole file is at fault.
    pub key: String,
    pub message: String,
}

impl ScenarioError {
    pub fn new(
        file: impl Into<PathBuf>,
        origin: Origin,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ScenarioError {
            file: file.into(),
            origin,
            key: key.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        match &self.origin {
            Origin::Line(line) => write!(f, ":{line}")?,
            Origin::Sweep(line) => write!(f, ":{line} (in [sweep])")?,
            Origin::Set(arg) => write!(f, " (--set {arg})")?,
            Origin::Default => {}
        }
        if !self.key.is_empty() {
            write!(f, ": {}", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// A bad file that a scenario names (an edge list, a churn trace), with the 1-based line at fault (0 when the
/// whole file is: unreadable, binary). Reported as the scenario error at that file and line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileLineError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl FileLineError {
    pub fn new(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        FileLineError {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for FileLineError {
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

impl std::error::Error for FileLineError {}

impl From<FileLineError> for ScenarioError {
    fn from(e: FileLineError) -> Self {
        ScenarioError::new(e.path, Origin::Line(e.line as u32), "", e.message)
    }
}

/// Top-level error: decides the exit status.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad scenario or bad command line: exit status 2.
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// Bad command-line usage that clap did not catch: exit status 2.
    #[error("{0}")]
    Usage(String),
    /// Anything else (I/O on results, etc.): exit status 1.
    #[error("{0:#}")]
    Other(#[from] anyhow::Error),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Scenario(_) | Error::Usage(_) => 2,
            Error::Other(_) => 1,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
