//! `[sweep]`: the grid of scenario variants a run covers. Each entry maps a dotted key (strategy keys by the
//! strategy's name) to a list of values, or to a range `{ from, to, step }`; a value may be a whole table, which
//! replaces the table at that key (how topologies are compared). Points are the cross product, the first key
//! varying slowest. Every point is validated like a scenario of its own, so a bad swept value is reported with
//! its line in `[sweep]` and its key.

use std::path::Path;

use super::tree::{self, Node, Table, Value};
use super::{Scenario, StrategyDef, overrides, validate};
use crate::error::{Origin, ScenarioError};

/// One point of the parameter grid (a scenario with the swept keys set).
#[derive(Clone, Debug)]
pub struct Point {
    pub index: usize,
    /// Values of the swept keys at this point, as the CSV columns show them, in `Plan::swept_keys` order.
    pub values: Vec<String>,
    pub scenario: Scenario,
}

/// Everything a `run` will do.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The scenario as written (with --set applied), before sweeping.
    pub base: Scenario,
    pub swept_keys: Vec<String>,
    pub points: Vec<Point>,
    /// The `[sweep]` table as TOML, for the resolved scenario (empty without a sweep).
    pub sweep_toml: String,
}

/// Largest grid gnutsim accepts (each point is validated up front).
const MAX_POINTS: usize = 10_000;

impl Plan {
    /// A plan without a sweep: one point.
    pub fn single(s: Scenario) -> Plan {
        Plan {
            base: s.clone(),
            swept_keys: Vec::new(),
            points: vec![Point {
                index: 0,
                values: Vec::new(),
                scenario: s,
            }],
            sweep_toml: String::new(),
        }
    }

    /// Number of strategy runs.
    pub fn runs(&self) -> usize {
        self.points
            .iter()
            .map(|p| p.scenario.replications as usize * p.scenario.strategies.len())
            .sum()
    }
}

/// Builds the plan of a parsed document (with `--set` already applied).
pub fn expand(file: &Path, doc: &Table, kinds: &[StrategyDef]) -> Result<Plan, ScenarioError> {
    let mut base_doc = doc.clone();
    let sweep = base_doc
        .entries
        .iter()
        .position(|(k, _)| k == "sweep")
        .map(|i| base_doc.entries.remove(i).1);
    let base = validate::validate(file, &base_doc, kinds)?;
    let Some(sweep) = sweep else {
        return Ok(Plan::single(base));
    };
    let err = |origin: &Origin, key: &str, msg: String| {
        ScenarioError::new(file, origin.clone(), format!("sweep.\"{key}\""), msg)
    };
    let Value::Table(table) = &sweep.value else {
        return Err(ScenarioError::new(
            file,
            sweep.origin.clone(),
            "sweep",
            "must be a table of dotted keys, e.g. [sweep] then \"topology.mean_degree\" = [4.0, 8.0]",
        ));
    };
    if table.entries.is_empty() {
        return Ok(Plan::single(base));
    }
    let mut keys = Vec::new();
    let mut axes: Vec<Vec<Node>> = Vec::new();
    for (key, node) in &table.entries {
        let line = match node.origin {
            Origin::Line(l) | Origin::Sweep(l) => l,
            _ => 0,
        };
        let values = match &node.value {
            Value::Array(items) if items.is_empty() => {
                return Err(err(
                    &node.origin,
                    key,
                    "is an empty list: give at least one value".into(),
                ));
            }
            Value::Array(items) => items.clone(),
            Value::Table(t) => range(t).map_err(|m| err(&node.origin, key, m))?,
            v => {
                return Err(err(
                    &node.origin,
                    key,
                    format!(
                        "must be a list of values or a range {{ from = A, to = B, step = S }}, got {}",
                        v.type_name()
                    ),
                ));
            }
        };
        let values = values
            .into_iter()
            .map(|mut v| {
                tree::set_origin(&mut v, &Origin::Sweep(line));
                v
            })
            .collect();
        keys.push(key.clone());
        axes.push(values);
    }
    let total: usize = axes
        .iter()
        .map(Vec::len)
        .try_fold(1usize, |acc, n| acc.checked_mul(n))
        .unwrap_or(usize::MAX);
    if total > MAX_POINTS {
        return Err(ScenarioError::new(
            file,
            sweep.origin.clone(),
            "sweep",
            format!("gives {total} points; at most {MAX_POINTS} are allowed"),
        ));
    }
    let mut points = Vec::with_capacity(total);
    for index in 0..total {
        // Odometer: the last key varies fastest.
        let mut rest = index;
        let mut picks = vec![0; axes.len()];
        for (i, axis) in axes.iter().enumerate().rev() {
            picks[i] = rest % axis.len();
            rest /= axis.len();
        }
        let mut point_doc = base_doc.clone();
        let mut values = Vec::with_capacity(keys.len());
        for (i, key) in keys.iter().enumerate() {
            let node = axes[i][picks[i]].clone();
            values.push(label(&node));
            let origin = node.origin.clone();
            overrides::set_path(file, &mut point_doc, key, node, &origin)?;
        }
        let scenario = validate::validate(file, &point_doc, kinds)?;
        points.push(Point {
            index,
            values,
            scenario,
        });
    }
    let sweep_toml = table
        .entries
        .iter()
        .map(|(k, n)| format!("{} = {}\n", tree::quote_key(k), tree::inline(n)))
        .collect();
    Ok(Plan {
        base,
        swept_keys: keys,
        points,
        sweep_toml,
    })
}

/// The values of a range `{ from, to, step }` (integers if all three are).
fn range(t: &Table) -> Result<Vec<Node>, String> {
    let get = |k: &str| -> Result<(f64, bool), String> {
        match t.get(k).map(|n| &n.value) {
            Some(Value::Integer(i)) => Ok((*i as f64, true)),
            Some(Value::Float(x)) if x.is_finite() => Ok((*x, false)),
            Some(v) => Err(format!("{k} must be a number, got {}", v.type_name())),
            None => Err(format!(
                "a range needs from, to and step (missing {k}); or give a list of values"
            )),
        }
    };
    if let Some((k, _)) = t
        .entries
        .iter()
        .find(|(k, _)| !["from", "to", "step"].contains(&k.as_str()))
    {
        return Err(format!(
            "unknown key {k} in a range (allowed: from, to, step)"
        ));
    }
    let (from, fi) = get("from")?;
    let (to, ti) = get("to")?;
    let (step, si) = get("step")?;
    if step <= 0.0 || to < from {
        return Err(format!(
            "needs step > 0 and from <= to (got from {from}, to {to}, step {step})"
        ));
    }
    let count = ((to - from) / step + 1e-9).floor() as usize + 1;
    if count > MAX_POINTS {
        return Err(format!(
            "gives {count} values; at most {MAX_POINTS} are allowed"
        ));
    }
    let integers = fi && ti && si;
    Ok((0..count)
        .map(|i| {
            let x = from + i as f64 * step;
            let value = if integers {
                Value::Integer(x.round() as i64)
            } else {
                // Round away accumulated float error (0.1 + 0.2 ...): 12 significant digits.
                Value::Float(format!("{x:.12e}").parse().unwrap_or(x))
            };
            Node {
                value,
                origin: Origin::Default,
            }
        })
        .collect())
}

/// How a swept value appears in the CSV columns: scalars as written, tables by their `label` or `kind`.
fn label(node: &Node) -> String {
    match &node.value {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(x) => crate::format::float(*x),
        Value::Bool(b) => b.to_string(),
        Value::Table(t) => ["label", "kind", "name"]
            .iter()
            .find_map(|k| match t.get(k).map(|n| &n.value) {
                Some(Value::String(s)) => Some(s.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "table".into()),
        other => tree::inline(&Node {
            value: other.clone(),
            origin: Origin::Default,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
duration = 10.0
replications = 3
[network]
peers = 50
[topology]
kind = "random"
mean_degree = 4.0
[content]
objects = 5
[workload]
query_rate = 0.01
[[strategy]]
name = "f"
kind = "flooding"
ttl = 3
[[strategy]]
name = "g"
kind = "flooding"
"#;

    fn plan(text: &str) -> Result<Plan, ScenarioError> {
        let doc = tree::parse_document(Path::new("s.toml"), text)?;
        expand(Path::new("s.toml"), &doc, crate::strategies::KINDS)
    }

    #[test]
    fn cross_product_first_key_slowest() {
        let p = plan(&format!(
            "{BASE}\n[sweep]\n\"topology.mean_degree\" = [3.0, 6.0]\n\"strategy.f.ttl\" = {{ from = 1, to = 3, step = 1 }}\n"
        ))
        .unwrap();
        assert_eq!(p.swept_keys, vec!["topology.mean_degree", "strategy.f.ttl"]);
        assert_eq!(p.points.len(), 6);
        assert_eq!(p.points[0].values, vec!["3", "1"]);
        assert_eq!(p.points[1].values, vec!["3", "2"]);
        assert_eq!(p.points[5].values, vec!["6", "3"]);
        assert_eq!(p.runs(), 6 * 3 * 2);
        let s = &p.points[4].scenario;
        assert_eq!(
            s.topology.kind,
            crate::scenario::TopologyKind::Random { mean_degree: 6.0 }
        );
        assert_eq!(
            s.strategies[0].spec(),
            Some(&crate::protocols::flooding::FloodingSpec { ttl: 2 })
        );
        assert!(
            p.sweep_toml
                .contains("\"strategy.f.ttl\" = { from = 1, to = 3, step = 1 }")
        );
    }

    #[test]
    fn whole_tables_replace_and_are_labelled() {
        let p = plan(&format!(
            "{BASE}\n[sweep]\n\"topology\" = [ {{ kind = \"random\", mean_degree = 4.0 }}, {{ kind = \"regular\", degree = 4, label = \"reg4\" }} ]\n"
        ))
        .unwrap();
        let labels: Vec<_> = p.points.iter().map(|pt| pt.values[0].clone()).collect();
        assert_eq!(labels, vec!["random", "reg4"]);
        assert_eq!(
            p.points[1].scenario.topology.kind,
            crate::scenario::TopologyKind::Regular { degree: 4 }
        );
    }

    #[test]
    fn bad_sweeps_name_their_line_and_key() {
        let text = format!("{BASE}\n[sweep]\n\"topology.mean_degre\" = [3.0]\n");
        let line = text
            .lines()
            .position(|l| l.contains("mean_degre\""))
            .unwrap() as u32
            + 1;
        let e = plan(&text).unwrap_err();
        assert_eq!(e.key, "topology.mean_degre");
        assert_eq!(e.origin, Origin::Sweep(line));
        let e = plan(&format!("{BASE}\n[sweep]\n\"strategy.f.ttl\" = []\n")).unwrap_err();
        assert!(e.message.contains("empty"), "{e}");
        let e = plan(&format!("{BASE}\n[sweep]\n\"strategy.f.ttl\" = [0]\n")).unwrap_err();
        assert_eq!(e.key, "strategy.f.ttl");
        let e = plan(&format!("{BASE}\n[sweep]\n\"strategy.h.ttl\" = [2]\n")).unwrap_err();
        assert!(e.message.contains("no strategy is named"), "{e}");
        let e = plan(&format!(
            "{BASE}\n[sweep]\n\"x\" = {{ from = 3, to = 1, step = 1 }}\n"
        ))
        .unwrap_err();
        assert!(e.message.contains("from <= to"), "{e}");
    }

    #[test]
    fn float_ranges_do_not_drift() {
        let p = plan(&format!(
            "{BASE}\n[sweep]\n\"topology.mean_degree\" = {{ from = 2.0, to = 3.0, step = 0.1 }}\n"
        ))
        .unwrap();
        let v: Vec<_> = p.points.iter().map(|pt| pt.values[0].clone()).collect();
        assert_eq!(v.len(), 11);
        assert_eq!(v[3], "2.3");
        assert_eq!(v[10], "3");
    }
}
