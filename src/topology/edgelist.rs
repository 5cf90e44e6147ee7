//! Edge-list overlays: the graph of the links of an edge-list file, read and checked when the scenario was
//! validated (format and errors in [`crate::scenario::files`]).
//!
//! Also writes edge lists ([`write`], which the reader reads back to the identical graph) and Graphviz drawings
//! ([`to_dot`]).

use std::fmt::Write as _;

use rustc_hash::FxHashSet;

use crate::error::FileLineError;
use crate::graph::{Graph, PeerId};
use crate::scenario::files::EdgeList;

/// The overlay of the links read for a network of `peers` peers. Every link was checked when the file was read;
/// a list read for another network size is refused (it could name peers the network does not have).
pub fn graph(list: &EdgeList, peers: u32) -> Result<Graph, FileLineError> {
    if list.peers != peers {
        return Err(FileLineError::new(
            &list.path,
            0,
            format!(
                "was read for {} peers, but the network has {peers}: read it again for this network",
                list.peers
            ),
        ));
    }
    Ok(Graph::from_edges(peers as usize, &list.edges))
}

/// The edge list of `g`: a comment line, then `A B` with A < B, one link per line, sorted.
pub fn write(g: &Graph) -> String {
    let mut out = String::with_capacity(16 * g.edge_count() + 64);
    let _ = writeln!(
        out,
        "# gnutsim edge list: {} peers, {} links",
        g.len(),
        g.edge_count()
    );
    for (a, b) in g.edges() {
        let _ = writeln!(out, "{a} {b}");
    }
    out
}

/// An undirected Graphviz drawing of `g`. Ultrapeers (when given) are filled boxes, other peers circles;
/// every peer is listed, so isolated peers show too. Links in `highlight` (either order) are drawn bold and
/// red, e.g. the links that carried a query; pairs that are not links of `g` are ignored.
pub fn to_dot(g: &Graph, ultrapeers: Option<&[bool]>, highlight: &[(PeerId, PeerId)]) -> String {
    let marked: FxHashSet<(PeerId, PeerId)> = highlight
        .iter()
        .map(|&(a, b)| (a.min(b), a.max(b)))
        .collect();
    let mut out = String::with_capacity(24 * (g.len() + g.edge_count()) + 128);
    out.push_str("graph gnutsim {\n  node [shape=circle, fontsize=10];\n");
    for v in 0..g.len() as PeerId {
        let is_up = ultrapeers.is_some_and(|u| u.get(v as usize).copied().unwrap_or(false));
        if is_up {
            let _ = writeln!(
                out,
                "  {v} [shape=box, style=filled, fillcolor=\"#9ecae1\"];"
            );
        } else {
            let _ = writeln!(out, "  {v};");
        }
    }
    for (a, b) in g.edges() {
        if marked.contains(&(a, b)) {
            let _ = writeln!(out, "  {a} -- {b} [color=red, penwidth=3, style=bold];");
        } else {
            let _ = writeln!(out, "  {a} -- {b};");
        }
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};
    use crate::scenario::files::parse_edge_list;
    use crate::topology::random::erdos_renyi;

    fn p() -> &'static std::path::Path {
        std::path::Path::new("links.txt")
    }

    #[test]
    fn write_then_parse_is_the_identity() {
        let mut rng = stream(61, Stream::Topology);
        // Include isolated peers: 300 peers, 200 links.
        for g in [
            erdos_renyi(300, 1.33, &mut rng),
            erdos_renyi(2000, 8.0, &mut rng),
            Graph::from_edges(3, &[]),
        ] {
            let text = write(&g);
            let header = format!(
                "# gnutsim edge list: {} peers, {} links",
                g.len(),
                g.edge_count()
            );
            assert_eq!(text.lines().next(), Some(header.as_str()));
            assert_eq!(text.lines().count(), 1 + g.edge_count());
            let list = parse_edge_list(&text, g.len() as u32, p()).expect("reads back");
            assert_eq!(graph(&list, g.len() as u32), Ok(g));
        }
    }

    #[test]
    fn a_list_read_for_another_network_is_refused() {
        let list = parse_edge_list("0 1\n1 2\n", 3, p()).expect("valid");
        let e = graph(&list, 2).expect_err("3 peers, not 2");
        assert_eq!((e.path.as_path(), e.line), (p(), 0));
        assert!(e.message.contains("read for 3 peers"), "{e}");
    }

    #[test]
    fn dot_marks_ultrapeers_and_highlighted_links() {
        let g = Graph::from_edges(4, &[(0, 1), (1, 2), (2, 3)]);
        let dot = to_dot(&g, Some(&[true, false, false, false]), &[(2, 1), (0, 3)]);
        assert!(dot.starts_with("graph gnutsim {\n") && dot.ends_with("}\n"));
        assert!(dot.contains("  0 [shape=box, style=filled"));
        assert!(dot.contains("  3;\n"));
        assert!(dot.contains("  1 -- 2 [color=red, penwidth=3, style=bold];\n"));
        assert!(dot.contains("  0 -- 1;\n") && dot.contains("  2 -- 3;\n"));
        assert!(!dot.contains("0 -- 3"), "non-links are not drawn");
        assert_eq!(dot.matches(" -- ").count(), 3);
        // A short ultrapeer slice is not a panic.
        assert!(to_dot(&g, Some(&[]), &[]).contains("  0;\n"));
    }
}
