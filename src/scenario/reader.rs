//! Reads the keys of one scenario table: typed getters that name the file, line and full dotted key of every
//! mistake, and a `finish` that reports any key no getter asked for. Shared by the scenario's own tables and by
//! each strategy's reader (see `protocols`).

use std::path::Path;

use super::tree::{Node, Table, Value};
use crate::dist::Dist;
use crate::error::{Origin, ScenarioError};

/// Reads the keys of one table, remembering which were read so that the rest can be reported as unknown.
pub struct Reader<'a> {
    pub(super) file: &'a Path,
    /// Dotted path of this table, with a trailing dot (empty at top level).
    pub(super) prefix: String,
    pub(super) table: &'a Table,
    pub(super) origin: Origin,
    pub(super) read: Vec<&'static str>,
}

pub type R<T> = Result<T, ScenarioError>;

impl<'a> Reader<'a> {
    pub fn new(file: &'a Path, prefix: &str, table: &'a Table, origin: Origin) -> Self {
        let prefix = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}.")
        };
        Reader {
            file,
            prefix,
            table,
            origin,
            read: Vec::new(),
        }
    }

    pub fn path(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }

    pub fn error_at(&self, origin: &Origin, key: &str, msg: impl Into<String>) -> ScenarioError {
        ScenarioError::new(self.file, origin.clone(), self.path(key), msg)
    }

    /// An error about `key`, pointing at its line (or the table's, when the key is absent).
    pub fn error(&self, key: &str, msg: impl Into<String>) -> ScenarioError {
        let origin = self
            .table
            .get(key)
            .map(|n| n.origin.clone())
            .unwrap_or_else(|| self.origin.clone());
        self.error_at(&origin, key, msg)
    }

    pub fn node(&mut self, key: &'static str) -> Option<&'a Node> {
        self.read.push(key);
        self.table.get(key)
    }

    pub fn required<T>(&self, key: &str, v: Option<T>) -> R<T> {
        v.ok_or_else(|| self.missing(key, "missing: this key is required"))
    }

    pub fn opt_f64(&mut self, key: &'static str) -> R<Option<f64>> {
        match self.node(key) {
            None => Ok(None),
            Some(n) => match n.value {
                Value::Float(x) if x.is_finite() => Ok(Some(x)),
                Value::Float(x) => {
                    Err(self.error(key, format!("must be a finite number, got {x}")))
                }
                Value::Integer(i) => Ok(Some(i as f64)),
                ref v => Err(self.error(key, format!("must be a number, got {}", v.type_name()))),
            },
        }
    }

    pub fn opt_int(&mut self, key: &'static str) -> R<Option<i64>> {
        match self.node(key) {
            None => Ok(None),
            Some(n) => match n.value {
                Value::Integer(i) => Ok(Some(i)),
                Value::Float(x) => Err(self.error(
                    key,
                    format!("must be a whole number (an integer), got the float {x}"),
                )),
                ref v => Err(self.error(key, format!("must be an integer, got {}", v.type_name()))),
            },
        }
    }

    pub fn opt_str(&mut self, key: &'static str) -> R<Option<&'a str>> {
        match self.node(key) {
            None => Ok(None),
            Some(n) => match &n.value {
                Value::String(s) => Ok(Some(s.as_str())),
                v => Err(self.error(key, format!("must be a string, got {}", v.type_name()))),
            },
        }
    }

    pub fn opt_bool(&mut self, key: &'static str) -> R<Option<bool>> {
        match self.node(key) {
            None => Ok(None),
            Some(n) => match n.value {
                Value::Bool(b) => Ok(Some(b)),
                ref v => {
                    Err(self.error(key, format!("must be true or false, got {}", v.type_name())))
                }
            },
        }
    }

    pub fn opt_table(&mut self, key: &'static str) -> R<Option<Reader<'a>>> {
        match self.node(key) {
            None => Ok(None),
            Some(n) => match &n.value {
                Value::Table(t) => Ok(Some(Reader::new(
                    self.file,
                    &self.path(key),
                    t,
                    n.origin.clone(),
                ))),
                v => Err(self.error(key, format!("must be a table, got {}", v.type_name()))),
            },
        }
    }

    /// A number in an allowed range; `what` says the range in words.
    pub fn f64_in(
        &mut self,
        key: &'static str,
        ok: impl Fn(f64) -> bool,
        what: &str,
    ) -> R<Option<f64>> {
        match self.opt_f64(key)? {
            Some(x) if !ok(x) => Err(self.error(key, format!("must be {what}, got {x}"))),
            other => Ok(other),
        }
    }

    pub fn int_in(&mut self, key: &'static str, lo: i64, hi: i64, what: &str) -> R<Option<i64>> {
        match self.opt_int(key)? {
            Some(i) if i < lo || i > hi => Err(self.error(key, format!("must be {what}, got {i}"))),
            other => Ok(other),
        }
    }

    /// A distribution `{ dist = "...", ... }`. `positive` demands a support bounded away from zero.
    pub fn opt_dist(&mut self, key: &'static str, positive: bool) -> R<Option<Dist>> {
        let Some(mut t) = self.opt_table(key)? else {
            return Ok(None);
        };
        let name = t.opt_str("dist")?;
        let name = t.required("dist", name)?;
        let pos = |x: f64| x > 0.0;
        let nonneg = |x: f64| x >= 0.0;
        let d = match name {
            "constant" => {
                let v = if positive {
                    t.f64_in("value", pos, "positive")?
                } else {
                    t.f64_in("value", nonneg, "zero or more")?
                };
                Dist::Constant {
                    value: t.required("value", v)?,
                }
            }
            "uniform" => {
                let min = if positive {
                    t.f64_in("min", pos, "positive")?
                } else {
                    t.f64_in("min", nonneg, "zero or more")?
                };
                let min = t.required("min", min)?;
                let max = t.f64_in("max", |x| x >= min, "at least min")?;
                Dist::Uniform {
                    min,
                    max: t.required("max", max)?,
                }
            }
            "exponential" => {
                let m = t.f64_in("mean", pos, "positive")?;
                Dist::Exponential {
                    mean: t.required("mean", m)?,
                }
            }
            "weibull" => {
                let shape = t.f64_in("shape", pos, "positive")?;
                let scale = t.f64_in("scale", pos, "positive")?;
                Dist::Weibull {
                    shape: t.required("shape", shape)?,
                    scale: t.required("scale", scale)?,
                }
            }
            "pareto" => {
                let shape = t.f64_in("shape", pos, "positive")?;
                let scale = t.f64_in("scale", pos, "positive")?;
                Dist::Pareto {
                    shape: t.required("shape", shape)?,
                    scale: t.required("scale", scale)?,
                }
            }
            "lognormal" => {
                let median = t.f64_in("median", pos, "positive")?;
                let sigma = t.f64_in("sigma", nonneg, "zero or more")?;
                Dist::LogNormal {
                    median: t.required("median", median)?,
                    sigma: t.required("sigma", sigma)?,
                }
            }
            other => {
                return Err(t.error(
                    "dist",
                    format!(
                        "unknown distribution \"{other}\" (allowed: constant, uniform, exponential, \
                         weibull, pareto, lognormal)"
                    ),
                ));
            }
        };
        t.finish()?;
        Ok(Some(d))
    }

    /// Fails on the first key that no getter asked for.
    pub fn finish(self) -> R<()> {
        for (key, node) in &self.table.entries {
            if !self.read.iter().any(|r| r == key) {
                let mut allowed: Vec<&str> = self.read.clone();
                allowed.sort_unstable();
                allowed.dedup();
                let message = match nearest(key, allowed.iter().copied()) {
                    Some(near) => format!("unknown key (did you mean {near}?)"),
                    None => format!("unknown key (allowed here: {})", allowed.join(", ")),
                };
                return Err(self.error_at(&node.origin, key, message));
            }
        }
        Ok(())
    }

    /// The error for a required `key` that is absent: an unknown key spelled nearly like it is named as the
    /// mistake (`[netwrk]` is a misspelled `[network]`, not a missing one); otherwise `message` about `key`.
    pub fn missing(&self, key: &str, message: &str) -> ScenarioError {
        let mut unread = self
            .table
            .entries
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| !self.read.iter().any(|r| r == k));
        match unread.find(|k| nearest(k, std::iter::once(key)).is_some()) {
            Some(typo) => self.error(typo, format!("unknown key (did you mean {key}?)")),
            None => self.error(key, message),
        }
    }
}

/// A value as an error message shows it.
pub fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        Value::Integer(i) => i.to_string(),
        Value::Float(x) => x.to_string(),
        Value::Bool(b) => b.to_string(),
        other => other.type_name().to_string(),
    }
}

/// The candidate spelled most like `key`, if one is close enough to be what was meant: at most two edits, and
/// fewer than half of the key's letters.
pub fn nearest<'c>(key: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    candidates
        .map(|c| (strsim::damerau_levenshtein(key, c), c))
        .filter(|&(d, c)| d > 0 && d <= 2 && 2 * d < key.len().max(c.len()))
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
}
