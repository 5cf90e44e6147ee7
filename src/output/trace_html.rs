//! `gnutsim trace --format html`: one query replayed in simulated time on a self-contained page (inline SVG, CSS
//! and a small script; no network, no external library), for teaching how a search spreads.
//!
//! The overlay is laid out in rings by hop distance from the query's source (BFS), so a flood's wave front reads
//! as rings filling outwards and its duplicates as links folding back inside a ring. The trace itself is embedded
//! as JSON (`<script type="application/json" id="trace">`, SPEC "Second round"): one entry per message, in the
//! text trace's order, so the page and `gnutsim trace` agree and a test can hold them to it.
//!
//! This module sees plain data only ([`Scene`]): the CLI and the runner fill it from their world.

use std::collections::VecDeque;
use std::fmt::Write as _;

use super::report::escape;
use crate::adversaries::{Role, Roles};
use crate::graph::Graph;
use crate::results::kinds::MsgKind;
use crate::results::trace::{Fate, TracedQuery};

/// Above this many peers only the peers the query reached are drawn (SPEC: "up to a few thousand peers").
pub const MAX_DRAWN_PEERS: u32 = 5000;

/// What the page draws besides the trace: the overlay and who is who. Plain data, filled from a world.
pub struct Scene<'a> {
    /// The header line (scenario, point, replication, strategy).
    pub title: String,
    pub graph: &'a Graph,
    /// Two-tier overlays: which peers are ultrapeers (drawn larger).
    pub ultrapeers: Option<&'a [bool]>,
    /// Peers holding the traced object when the run starts.
    pub holders: Vec<u32>,
    pub roles: Option<&'a Roles>,
    /// Under churn: (peer, from_us, until_us) offline spells overlapping the replay (clipped to it).
    pub offline: Vec<(u32, u64, u64)>,
}

/// SPEC's fate names. `Handled` (a check or a miss answer processed with no further effect) and `InFlight` (only
/// in an unfinished trace: the message was still on its way) become `passed`: the message arrived or was under
/// way, and nothing of note happened to it.
pub fn fate_name(f: Fate) -> &'static str {
    match f {
        Fate::New => "new",
        Fate::Duplicate => "duplicate",
        Fate::Passed | Fate::Handled | Fate::InFlight => "passed",
        Fate::HitAtSource => "hit",
        Fate::Lost => "lost",
        Fate::Dropped => "dropped",
        Fate::Swallowed => "swallowed",
    }
}

/// Drawing size (SVG user units) and the radius of the outermost ring.
const SIZE: f64 = 1000.0;
const RADIUS: f64 = 470.0;

/// Where each drawn node sits: (id, x, y, ring). Servers (ids at or above the peer count) sit in a row at the top.
struct Layout {
    nodes: Vec<(u32, f64, f64, u32)>,
    rings: u32,
    /// Each ring's radius, then the outer edge.
    radii: Vec<f64>,
}

/// Rings by hop distance from the source; each ring's peers are ordered by the angle of their BFS parent, then
/// spaced evenly, so that a peer sits near the peer that reached it first. Crowded rings are staggered over three
/// radii. Peers the BFS cannot reach sit on one more ring outside.
fn layout(t: &TracedQuery, g: &Graph, drawn: &[bool]) -> Layout {
    let n = g.len();
    let mut depth = vec![u32::MAX; n];
    let mut parent = vec![u32::MAX; n];
    let source = t.source as usize;
    let mut rings: Vec<Vec<u32>> = Vec::new();
    if source < n {
        depth[source] = 0;
        let mut queue = VecDeque::from([t.source]);
        while let Some(v) = queue.pop_front() {
            let d = depth[v as usize] as usize;
            if drawn[v as usize] {
                if rings.len() <= d {
                    rings.resize(d + 1, Vec::new());
                }
                rings[d].push(v);
            }
            for &w in g.neighbours(v) {
                if depth[w as usize] == u32::MAX {
                    depth[w as usize] = d as u32 + 1;
                    parent[w as usize] = v;
                    queue.push_back(w);
                }
            }
        }
    }
    let unreached: Vec<u32> = (0..n as u32)
        .filter(|&v| drawn[v as usize] && depth[v as usize] == u32::MAX)
        .collect();
    if !unreached.is_empty() {
        rings.push(unreached);
    }
    rings.retain(|r| !r.is_empty());
    let count = rings.len().max(1) as u32;
    let radius = ring_radii(&rings);
    let mut angle = vec![0.0f64; n];
    let mut nodes = Vec::new();
    let c = SIZE / 2.0;
    for (d, ring) in rings.iter_mut().enumerate() {
        // A peer's drawn ancestor sets its order (BFS parents may be undrawn above 5,000 peers: then by id).
        ring.sort_by(|&a, &b| {
            let key = |v: u32| {
                let p = parent[v as usize];
                if p == u32::MAX {
                    0.0
                } else {
                    angle[p as usize]
                }
            };
            key(a).total_cmp(&key(b)).then(a.cmp(&b))
        });
        let (r, band) = (radius[d], radius[d + 1] - radius[d]);
        let crowded = ring.len() as f64 * 9.0 > std::f64::consts::TAU * r.max(1.0);
        for (i, &v) in ring.iter().enumerate() {
            let a = std::f64::consts::TAU * (i as f64 + 0.5) / ring.len() as f64
                - std::f64::consts::FRAC_PI_2;
            angle[v as usize] = a;
            let rr = if crowded && d > 0 {
                r + band * 0.22 * ((i % 3) as f64 - 1.0)
            } else {
                r
            };
            nodes.push((v, c + rr * a.cos(), c + rr * a.sin(), d as u32));
        }
    }
    // Servers (the client-server baseline): a row above the rings.
    let mut servers: Vec<u32> = t
        .hops
        .iter()
        .flat_map(|h| [h.from, h.to])
        .filter(|&id| id as usize >= n)
        .collect();
    servers.sort_unstable();
    servers.dedup();
    for (i, &s) in servers.iter().enumerate() {
        let x = c + (i as f64 - (servers.len() as f64 - 1.0) / 2.0) * 60.0;
        nodes.push((s, x, 12.0, count));
    }
    Layout {
        nodes,
        rings: count,
        radii: radius,
    }
}

/// Ring radii with equal area per peer (ring d at the square root of the share of peers inside it), so that the
/// crowded middle rings of a random overlay get room and the sparse first rings do not fill the picture. Ends with
/// one more radius (the outer edge) for the width of the last ring.
fn ring_radii(rings: &[Vec<u32>]) -> Vec<f64> {
    let total: usize = rings.iter().skip(1).map(Vec::len).sum();
    let mut out = vec![0.0];
    let mut inside = 0usize;
    for ring in rings.iter().skip(1) {
        let share = (inside as f64 + ring.len() as f64 / 2.0) / total.max(1) as f64;
        out.push(RADIUS * share.sqrt().max(0.08 * out.len() as f64).min(1.0));
        inside += ring.len();
    }
    out.push(RADIUS + 20.0);
    out
}

/// The category a message is drawn in (its colour in the legend).
fn category(kind: MsgKind, fate: Fate) -> &'static str {
    match fate {
        Fate::Lost => "lost",
        Fate::Dropped => "dropped",
        Fate::Swallowed => "swallowed",
        Fate::Duplicate => "dup",
        _ if kind == MsgKind::FakeHit => "fake",
        Fate::New => "new",
        _ if kind.is_hit() || kind == MsgKind::AnswerHit => "hit",
        _ => "other",
    }
}

/// Seconds with microsecond precision, as the text trace prints them.
fn secs(us: u64) -> String {
    format!("{:.6}", us as f64 / 1e6)
}

/// The embedded JSON: `messages` (SPEC), then what the script needs besides.
fn json(t: &TracedQuery, scene: &Scene, lay: &Layout) -> String {
    let mut o = String::from("{\"messages\":[");
    for (i, h) in t.hops.iter().enumerate() {
        let at = h.arrived_us.unwrap_or(h.sent_us);
        let _ = write!(
            o,
            "{}\n{{\"t_s\":{},\"sent_s\":{},\"hop\":{},\"from\":{},\"to\":{},\"kind\":\"{}\",\"fate\":\"{}\"}}",
            if i == 0 { "" } else { "," },
            secs(at),
            secs(h.sent_us),
            h.hops,
            h.from,
            h.to,
            h.kind.name(),
            fate_name(h.fate),
        );
    }
    let _ = write!(
        o,
        "\n],\"query\":{{\"index\":{},\"source\":{},\"object\":{},\"issued_s\":{},\"outcome\":\"{}\"}},\"peers\":{},\"rings\":{}",
        t.index,
        t.source,
        t.object,
        secs(t.issued_us),
        t.outcome.map_or("unfinished", |o| o.name()),
        scene.graph.len(),
        lay.rings
    );
    o.push_str(",\n\"nodes\":[");
    for (i, &(id, x, y, _)) in lay.nodes.iter().enumerate() {
        let _ = write!(o, "{}[{id},{x:.1},{y:.1}]", if i == 0 { "" } else { "," });
    }
    o.push_str("],\n\"offline\":[");
    for (i, &(p, a, b)) in scene.offline.iter().enumerate() {
        let _ = write!(
            o,
            "{}[{p},{},{}]",
            if i == 0 { "" } else { "," },
            secs(a),
            secs(b)
        );
    }
    o.push_str("]}");
    o
}

/// The page's stylesheet and script, kept beside this file so that they read as CSS and JavaScript.
const STYLE: &str = include_str!("trace_page.css");
const SCRIPT: &str = include_str!("trace_page.js");
/// Installed before the main script, so that even its syntax errors show: in the title and on the page (a
/// headless browser's dump of the DOM then tells a test).
const CATCH: &str = "window.addEventListener(\"error\",function(e){document.title=\"script error: \"+e.message;\
var d=document.getElementById(\"error\");if(d)d.textContent=\"script error: \"+e.message;});";

/// The legend: (category, label) in the colours of trace_page.css.
const LEGEND: &[(&str, &str)] = &[
    ("new", "first copy (new)"),
    ("dup", "duplicate"),
    ("hit", "hit (on its way back)"),
    ("lost", "lost to churn"),
    ("dropped", "dropped (full queue)"),
    ("swallowed", "swallowed (dropper)"),
    ("fake", "fake hit (polluter)"),
    ("other", "other (check, answer)"),
];

/// The whole page.
pub fn render(t: &TracedQuery, scene: &Scene) -> String {
    let n = scene.graph.len();
    let mut seen = vec![false; n];
    for h in &t.hops {
        for id in [h.from, h.to] {
            if let Some(s) = seen.get_mut(id as usize) {
                *s = true;
            }
        }
    }
    if let Some(s) = seen.get_mut(t.source as usize) {
        *s = true;
    }
    let only_reached = n as u32 > MAX_DRAWN_PEERS;
    let drawn: Vec<bool> = if only_reached {
        seen.clone()
    } else {
        vec![true; n]
    };
    let lay = layout(t, scene.graph, &drawn);
    let mut pos = vec![None; n];
    for &(id, x, y, _) in &lay.nodes {
        if let Some(p) = pos.get_mut(id as usize) {
            *p = Some((x, y));
        }
    }
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>query {} — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        t.index,
        escape(&scene.title),
        escape(&scene.title)
    );
    let offline = if scene.offline.is_empty() {
        ""
    } else {
        "; peers offline during the replay greyed at their time (links as generated: churn rewires them as peers \
         come and go)"
    };
    let what = if t.broadcast {
        format!(
            "Broadcast {}: peer {} sends a payload to every peer{offline}",
            t.index, t.source
        )
    } else {
        format!(
            "Query {}: peer {} asks for object {} ({} holders{offline})",
            t.index,
            t.source,
            t.object,
            scene.holders.len()
        )
    };
    let _ = writeln!(
        page,
        "<p class=\"what\">{what}. Rings: hop distance from the source. Press play, or step from message to \
         message.{}</p>",
        if only_reached {
            format!(" Only the peers the query reached are drawn (the overlay has {n} peers).")
        } else {
            String::new()
        }
    );
    page.push_str(
        "<div id=\"controls\"><button id=\"play\" type=\"button\">play</button> \
         <button id=\"step\" type=\"button\">step</button> \
         <label>speed <select id=\"speed\"></select></label> \
         <input id=\"slider\" type=\"range\" min=\"0\" max=\"1000\" value=\"0\" aria-label=\"time\"> \
         <span id=\"clock\"></span> <span id=\"hover\"></span></div>\n<div id=\"counts\"></div>\n<div id=\"error\"></div>\n",
    );
    let _ = write!(
        page,
        "<svg id=\"overlay\" viewBox=\"0 0 {SIZE} {SIZE}\" role=\"img\" \
         aria-label=\"the overlay, rings by hop distance from the source\">\n<g id=\"rings\">"
    );
    for &r in lay
        .radii
        .iter()
        .skip(1)
        .take(lay.radii.len().saturating_sub(2))
    {
        let _ = write!(page, "<circle cx=\"500\" cy=\"500\" r=\"{r:.1}\"/>");
    }
    page.push_str("</g>\n<path id=\"links\" d=\"");
    for (a, b) in scene.graph.edges() {
        if let (Some((x1, y1)), Some((x2, y2))) = (pos[a as usize], pos[b as usize]) {
            let _ = write!(page, "M{x1:.0} {y1:.0}L{x2:.0} {y2:.0}");
        }
    }
    page.push_str("\"/>\n<g id=\"trails\"></g>\n<g id=\"nodes\">");
    let holder = |id: u32| scene.holders.binary_search(&id).is_ok();
    for &(id, x, y, _) in &lay.nodes {
        let mut class = vec!["p"];
        if (id as usize) < n && !seen[id as usize] {
            class.push("faint");
        }
        if scene
            .ultrapeers
            .is_some_and(|u| u.get(id as usize) == Some(&true))
        {
            class.push("ultra");
        }
        if id as usize >= n {
            class.push("server");
        }
        let r = if id == t.source {
            8.0
        } else if id as usize >= n {
            9.0
        } else if class.contains(&"ultra") {
            5.0
        } else {
            3.5
        };
        let _ = write!(
            page,
            "<circle id=\"n{id}\" class=\"{}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r}\"/>",
            class.join(" "),
        );
        if holder(id) {
            let _ = write!(
                page,
                "<circle class=\"holder\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{}\"/>",
                r + 2.5
            );
        }
        // Only on peers the query reaches: a letter on every bad actor of a large overlay buries the picture.
        if let Some(letter) =
            role_letter(id, scene.roles).filter(|_| seen.get(id as usize) == Some(&true))
        {
            let _ = write!(
                page,
                "<text class=\"role\" x=\"{:.1}\" y=\"{:.1}\">{letter}</text>",
                x + 4.0,
                y - 3.0
            );
        }
    }
    if let Some(&(_, x, y, _)) = lay.nodes.iter().find(|n| n.0 == t.source) {
        let _ = write!(
            page,
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\">source</text>",
            x + 10.0,
            y + 4.0
        );
    }
    page.push_str("</g>\n<g id=\"flight\"></g>\n</svg>\n");
    legend(&mut page, scene, t);
    let _ = write!(
        page,
        "<script>{CATCH}</script>\n<script type=\"application/json\" id=\"trace\">{}</script>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        json(t, scene, &lay)
    );
    page
}

fn role_letter(id: u32, roles: Option<&Roles>) -> Option<char> {
    match roles?.of(id) {
        Role::Honest => None,
        Role::Dropper => Some('D'),
        Role::Polluter => Some('P'),
        Role::FreeRider => Some('F'),
    }
}

/// The legend: message colours (only the categories this trace has, plus first copies, duplicates and hits,
/// which every reader looks for), then the node marks.
fn legend(page: &mut String, scene: &Scene, t: &TracedQuery) {
    page.push_str("<ul id=\"legend\">");
    for &(cat, label) in LEGEND {
        let present = t.hops.iter().any(|h| category(h.kind, h.fate) == cat);
        if present || matches!(cat, "new" | "dup" | "hit") {
            let _ = write!(
                page,
                "<li><svg width=\"30\" height=\"10\"><line class=\"m {cat}\" x1=\"0\" y1=\"5\" x2=\"30\" y2=\"5\"/></svg>{label}</li>"
            );
        }
    }
    page.push_str(
        "<li><svg width=\"30\" height=\"10\"><line class=\"dot new\" x1=\"9\" y1=\"5\" x2=\"21\" y2=\"5\"/></svg>message under way</li>\
         <li><svg width=\"16\" height=\"16\"><circle class=\"p reached\" cx=\"8\" cy=\"8\" r=\"4\"/></svg>reached</li>\
         <li><svg width=\"16\" height=\"16\"><circle class=\"p faint\" cx=\"8\" cy=\"8\" r=\"4\"/></svg>never sees the query</li>\
         <li><svg width=\"16\" height=\"16\"><circle class=\"p\" cx=\"8\" cy=\"8\" r=\"3.5\"/><circle class=\"holder\" cx=\"8\" cy=\"8\" r=\"6\"/></svg>holds the object</li>",
    );
    if !scene.offline.is_empty() {
        page.push_str(
            "<li><svg width=\"16\" height=\"16\"><circle class=\"p off\" cx=\"8\" cy=\"8\" r=\"4\"/></svg>offline</li>",
        );
    }
    if scene.roles.is_some() {
        page.push_str("<li>D dropper, P polluter, F free rider (marked where the query goes)</li>");
    }
    page.push_str("</ul>\n");
}
