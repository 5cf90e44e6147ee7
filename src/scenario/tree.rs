//! The scenario file as a tree of values that remember where they came from (a line of the file, a `--set`
//! argument or a `[sweep]` entry), so that validation can name the line and the key of every mistake.
//!
//! We parse with `toml`'s spanned document (`DeTable`) instead of serde structs: serde's errors inside tagged
//! enums lose the key, and we want `file:line: dotted.key: what is wrong` for every bad value.

use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{Origin, ScenarioError};

/// A value of the scenario tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    String(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
    /// TOML dates are not used by gnutsim; kept so the error can say so.
    Datetime(String),
    Array(Vec<Node>),
    Table(Table),
}

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub origin: Origin,
}

/// A table keeps its keys in file order; scenario tables are small, so a vector is enough.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub entries: Vec<(String, Node)>,
}

impl Table {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, n)| n)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, n)| n)
    }

    /// Replaces the value at `key`, or appends it.
    pub fn insert(&mut self, key: &str, node: Node) {
        match self.get_mut(key) {
            Some(slot) => *slot = node,
            None => self.entries.push((key.to_string(), node)),
        }
    }
}

impl Value {
    /// The TOML name of the value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Bool(_) => "a boolean",
            Value::Datetime(_) => "a date",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// A key as TOML writes it: bare when it can be, quoted otherwise.
pub fn quote_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        toml::Value::String(k.to_string()).to_string()
    }
}

/// A value as inline TOML (tables as `{ k = v }`), for the resolved scenario's `[sweep]`.
pub fn inline(node: &Node) -> String {
    match &node.value {
        Value::String(s) => toml::Value::String(s.clone()).to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Float(x) => {
            let s = format!("{x:?}");
            if s.contains(['.', 'e', 'E', 'i', 'N']) {
                s
            } else {
                format!("{s}.0")
            }
        }
        Value::Bool(b) => b.to_string(),
        Value::Datetime(d) => d.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(inline).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Table(t) => {
            let parts: Vec<String> = t
                .entries
                .iter()
                .map(|(k, v)| format!("{} = {}", quote_key(k), inline(v)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
    }
}

/// Maps byte offsets to 1-based line numbers.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn line(&self, offset: usize) -> u32 {
        let idx = self.starts.partition_point(|&s| s <= offset);
        idx.max(1) as u32
    }
}

/// Parses scenario text into a tree. `file` is only used to name it in errors.
pub fn parse_document(file: &Path, text: &str) -> Result<Table, ScenarioError> {
    if text.contains('\0') {
        return Err(ScenarioError::new(
            file,
            Origin::Default,
            "",
            "this is a binary file, not a TOML scenario",
        ));
    }
    if text.trim().is_empty() {
        return Err(ScenarioError::new(
            file,
            Origin::Default,
            "",
            "the scenario file is empty: start from scenarios/quickstart.toml",
        ));
    }
    let index = LineIndex::new(text);
    let doc = DeTable::parse(text).map_err(|e| {
        let origin = match e.span() {
            Some(span) => Origin::Line(index.line(span.start)),
            None => Origin::Default,
        };
        ScenarioError::new(
            file,
            origin,
            "",
            format!("not valid TOML: {}", e.message().trim_end()),
        )
    })?;
    convert_table(file, &index, doc.get_ref())
}

/// Parses the value part of `--set KEY=VALUE`: TOML if it is valid TOML, otherwise the bare text as a string.
pub fn parse_set_value(text: &str, origin: Origin) -> Node {
    let index = LineIndex::new(text);
    match DeValue::parse(text) {
        Ok(v) => match convert_value(Path::new("--set"), &index, &v) {
            Ok(mut node) => {
                set_origin(&mut node, &origin);
                node
            }
            Err(_) => Node {
                value: Value::String(text.to_string()),
                origin,
            },
        },
        Err(_) => Node {
            value: Value::String(text.to_string()),
            origin,
        },
    }
}

/// Gives every node of a subtree the same origin (a `--set` or `[sweep]` value has one origin).
pub fn set_origin(node: &mut Node, origin: &Origin) {
    node.origin = origin.clone();
    match &mut node.value {
        Value::Array(items) => items.iter_mut().for_each(|n| set_origin(n, origin)),
        Value::Table(t) => t
            .entries
            .iter_mut()
            .for_each(|(_, n)| set_origin(n, origin)),
        _ => {}
    }
}

fn convert_table(
    file: &Path,
    index: &LineIndex,
    table: &DeTable<'_>,
) -> Result<Table, ScenarioError> {
    let mut entries: Vec<(String, Node)> = Vec::with_capacity(table.len());
    let mut pairs: Vec<_> = table.iter().collect();
    // Keep the file's order (the map may be sorted by key): order by where each key was written.
    pairs.sort_by_key(|(k, _)| k.span().start);
    for (key, value) in pairs {
        let mut node = convert_value(file, index, value)?;
        // A key's own line is the best place to point at (for `[section]` tables, the header line).
        node.origin = Origin::Line(index.line(key.span().start));
        entries.push((key.get_ref().to_string(), node));
    }
    Ok(Table { entries })
}

fn convert_value(
    file: &Path,
    index: &LineIndex,
    value: &Spanned<DeValue<'_>>,
) -> Result<Node, ScenarioError> {
    let origin = Origin::Line(index.line(value.span().start));
    let v = match value.get_ref() {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => {
            let n = i64::from_str_radix(i.as_str(), i.radix()).map_err(|_| {
                ScenarioError::new(
                    file,
                    origin.clone(),
                    "",
                    format!("integer {} does not fit in 64 bits", i.as_str()),
                )
            })?;
            Value::Integer(n)
        }
        DeValue::Float(f) => {
            let x: f64 = f.as_str().parse().map_err(|_| {
                ScenarioError::new(
                    file,
                    origin.clone(),
                    "",
                    format!("bad float {}", f.as_str()),
                )
            })?;
            Value::Float(x)
        }
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter() {
                out.push(convert_value(file, index, item)?);
            }
            Value::Array(out)
        }
        DeValue::Table(t) => Value::Table(convert_table(file, index, t)?),
    };
    Ok(Node { value: v, origin })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_point_at_keys_and_headers() {
        let text = "name = \"x\"\n\n[network]\npeers = 10\n\n[[strategy]]\nname = \"a\"\nttl = 3\n";
        let t = parse_document(Path::new("s.toml"), text).unwrap();
        assert_eq!(t.get("name").unwrap().origin, Origin::Line(1));
        let net = t.get("network").unwrap();
        assert_eq!(net.origin, Origin::Line(3));
        let Value::Table(net) = &net.value else {
            panic!("table expected")
        };
        assert_eq!(net.get("peers").unwrap().origin, Origin::Line(4));
        assert_eq!(net.get("peers").unwrap().value, Value::Integer(10));
        let Value::Array(strats) = &t.get("strategy").unwrap().value else {
            panic!("array expected")
        };
        let Value::Table(s0) = &strats[0].value else {
            panic!("table expected")
        };
        assert_eq!(s0.get("ttl").unwrap().origin, Origin::Line(8));
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = parse_document(Path::new("s.toml"), "a = 1\nb = = 2\n").unwrap_err();
        assert_eq!(err.origin, Origin::Line(2));
    }

    #[test]
    fn set_values_are_toml_or_bare_strings() {
        let o = Origin::Set("x".into());
        assert_eq!(parse_set_value("6", o.clone()).value, Value::Integer(6));
        assert_eq!(parse_set_value("6.5", o.clone()).value, Value::Float(6.5));
        assert_eq!(
            parse_set_value("false", o.clone()).value,
            Value::Bool(false)
        );
        assert_eq!(
            parse_set_value("\"random\"", o.clone()).value,
            Value::String("random".into())
        );
        assert_eq!(
            parse_set_value("random", o.clone()).value,
            Value::String("random".into())
        );
        let node = parse_set_value("{ dist = \"constant\", value = 1.0 }", o.clone());
        let Value::Table(t) = node.value else {
            panic!("table expected")
        };
        assert_eq!(t.get("value").unwrap().origin, o);
    }
}
