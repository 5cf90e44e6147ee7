//! `--set KEY=VALUE`: replaces one value of the scenario tree by its dotted path, before validation, so an
//! override is checked exactly like the file (and errors name the `--set` argument).
//! Strategy keys are addressed by the strategy's name: `strategy.flood-ttl7.ttl`; `strategy.*.KEY` sets the key
//! in every strategy (a payload size swept for all the broadcasts of a scenario at once).

use std::path::Path;

use super::tree::{self, Node, Table, Value};
use crate::error::{Origin, ScenarioError};

/// Applies one `KEY=VALUE` override to the document.
pub fn apply_set(file: &Path, doc: &mut Table, arg: &str) -> Result<(), ScenarioError> {
    let origin = Origin::Set(arg.to_string());
    let Some((key, value)) = arg.split_once('=') else {
        return Err(ScenarioError::new(
            file,
            origin,
            "",
            "expected KEY=VALUE, e.g. --set network.peers=5000",
        ));
    };
    let key = key.trim();
    let node = tree::parse_set_value(value.trim(), origin.clone());
    set_path(file, doc, key, node, &origin)
}

/// Puts `node` at the dotted `key` of `doc`, creating missing tables on the way.
pub fn set_path(
    file: &Path,
    doc: &mut Table,
    key: &str,
    node: Node,
    origin: &Origin,
) -> Result<(), ScenarioError> {
    let parts: Vec<&str> = key.split('.').collect();
    if key.is_empty() || parts.iter().any(|p| p.is_empty()) {
        return Err(ScenarioError::new(
            file,
            origin.clone(),
            key,
            "not a dotted key path (e.g. network.peers or strategy.NAME.ttl)",
        ));
    }
    if parts.len() >= 3 && parts[0] == "strategy" && parts[1] == "*" {
        let rest = parts[2..].join(".");
        let Some(Node {
            value: Value::Array(items),
            ..
        }) = doc.get_mut("strategy")
        else {
            return Err(ScenarioError::new(
                file,
                origin.clone(),
                "strategy.*",
                "the scenario has no [[strategy]] tables",
            ));
        };
        for item in items.iter_mut() {
            if let Value::Table(t) = &mut item.value {
                set_path(file, t, &rest, node.clone(), origin)?;
            }
        }
        return Ok(());
    }
    let mut table = doc;
    let mut i = 0;
    while i + 1 < parts.len() {
        let part = parts[i];
        if part == "strategy" {
            // strategy.NAME.key: find the [[strategy]] table with that name.
            let name = parts[i + 1];
            let path_so_far = parts[..=i + 1].join(".");
            if i + 2 >= parts.len() {
                return Err(ScenarioError::new(
                    file,
                    origin.clone(),
                    key,
                    "name a key of the strategy, e.g. strategy.NAME.ttl",
                ));
            }
            let Some(Node {
                value: Value::Array(items),
                ..
            }) = table.get_mut("strategy")
            else {
                return Err(ScenarioError::new(
                    file,
                    origin.clone(),
                    &path_so_far,
                    "the scenario has no [[strategy]] tables",
                ));
            };
            let found = items.iter_mut().find_map(|n| match &mut n.value {
                Value::Table(t)
                    if matches!(t.get("name"), Some(Node { value: Value::String(s), .. }) if s == name) =>
                {
                    Some(t)
                }
                _ => None,
            });
            match found {
                Some(t) => table = t,
                None => {
                    return Err(ScenarioError::new(
                        file,
                        origin.clone(),
                        &path_so_far,
                        format!("no strategy is named \"{name}\""),
                    ));
                }
            }
            i += 2;
            continue;
        }
        if table.get(part).is_none() {
            table.insert(
                part,
                Node {
                    value: Value::Table(Table::default()),
                    origin: origin.clone(),
                },
            );
        }
        let path_so_far = parts[..=i].join(".");
        match table.get_mut(part) {
            Some(Node {
                value: Value::Table(t),
                ..
            }) => table = t,
            Some(other) => {
                return Err(ScenarioError::new(
                    file,
                    origin.clone(),
                    &path_so_far,
                    format!("is {}, not a table", other.value.type_name()),
                ));
            }
            None => unreachable!("inserted above"),
        }
        i += 1;
    }
    table.insert(parts[parts.len() - 1], node);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Table {
        tree::parse_document(
            Path::new("s.toml"),
            "[network]\npeers = 10\n[[strategy]]\nname = \"f\"\nttl = 3\n",
        )
        .unwrap()
    }

    #[test]
    fn sets_nested_and_strategy_keys() {
        let mut d = doc();
        apply_set(Path::new("s.toml"), &mut d, "network.peers=20").unwrap();
        apply_set(Path::new("s.toml"), &mut d, "strategy.f.ttl=5").unwrap();
        apply_set(Path::new("s.toml"), &mut d, "churn.enabled=false").unwrap();
        let Value::Table(net) = &d.get("network").unwrap().value else {
            panic!()
        };
        assert_eq!(net.get("peers").unwrap().value, Value::Integer(20));
        let Value::Array(s) = &d.get("strategy").unwrap().value else {
            panic!()
        };
        let Value::Table(s0) = &s[0].value else {
            panic!()
        };
        assert_eq!(s0.get("ttl").unwrap().value, Value::Integer(5));
        assert!(d.get("churn").is_some());
    }

    #[test]
    fn a_star_sets_the_key_in_every_strategy() {
        let mut d = tree::parse_document(
            Path::new("s.toml"),
            "[[strategy]]\nname = \"a\"\n[[strategy]]\nname = \"b\"\nttl = 3\n",
        )
        .unwrap();
        apply_set(Path::new("s.toml"), &mut d, "strategy.*.ttl=9").unwrap();
        let Value::Array(s) = &d.get("strategy").unwrap().value else {
            panic!()
        };
        for item in s {
            let Value::Table(t) = &item.value else {
                panic!()
            };
            assert_eq!(t.get("ttl").unwrap().value, Value::Integer(9));
        }
        let mut none =
            tree::parse_document(Path::new("s.toml"), "[network]\npeers = 10\n").unwrap();
        let e = apply_set(Path::new("s.toml"), &mut none, "strategy.*.ttl=9").unwrap_err();
        assert_eq!(e.key, "strategy.*");
    }

    #[test]
    fn unknown_strategy_is_an_error() {
        let mut d = doc();
        let e = apply_set(Path::new("s.toml"), &mut d, "strategy.g.ttl=5").unwrap_err();
        assert_eq!(e.key, "strategy.g");
        let e = apply_set(Path::new("s.toml"), &mut d, "network.peers.x=5").unwrap_err();
        assert_eq!(e.key, "network.peers");
        let e = apply_set(Path::new("s.toml"), &mut d, "novalue").unwrap_err();
        assert!(e.message.contains("KEY=VALUE"));
    }
}
