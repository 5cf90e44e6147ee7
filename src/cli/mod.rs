//! The command line (SPEC.md): clap definitions and what each command does, as a pipeline over the library.

/// `print!` to standard output, except that a reader that went away (`gnutsim check X | head`) ends the command
/// quietly, as ripgrep does, instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(&format!($($arg)*))
    };
}

/// `println!`, as [`say!`].
macro_rules! sayln {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(&format!("{}\n", format!($($arg)*)))
    };
}

use std::path::{Path, PathBuf};

use clap::CommandFactory;

use crate::error::{Error, Result};
use crate::estimate;
use crate::output;
use crate::output::manifest::{Manifest, Shard, ShardField};
use crate::runner::{self, RunOptions};
use crate::scenario::{self, sweep::Plan};
use crate::strategies;
use crate::topology::{edgelist, stats::GraphStats};
use crate::validate;
use crate::world::World;

mod args;

pub use args::{Cli, Command, TopologyFormat, TraceFormat};

/// Runs a parsed command line: one function per command.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run {
            scenario,
            output,
            threads,
            mut sets,
            seed,
            shard,
            quiet,
            force,
            huge_pages,
        } => {
            if huge_pages {
                crate::huge_pages::enable();
            }
            run_command(
                &scenario,
                output,
                threads,
                &{
                    sets.extend(seed.map(|n| format!("seed={n}")));
                    sets
                },
                shard.as_deref(),
                quiet,
                force,
            )
        }
        Command::Check { scenario, sets } => check(&scenario, &sets),
        Command::Plot { dir } => plot(&dir),
        Command::Merge {
            dirs,
            output,
            partial,
        } => merge(&dirs, &output, partial),
        Command::Validate {
            output,
            threads,
            list,
        } => validate(output.as_deref(), threads, list),
        Command::Topology {
            scenario,
            format,
            output,
            point,
            sets,
        } => topology(&scenario, format, output.as_deref(), point, &sets),
        Command::Trace {
            scenario,
            strategy,
            query,
            format,
            output,
            point,
            sets,
        } => trace(
            &scenario,
            strategy.as_deref(),
            query,
            format,
            output.as_deref(),
            point,
            &sets,
        ),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "gnutsim",
                &mut std::io::stdout(),
            );
            Ok(())
        }
    }
}

/// `gnutsim run`: simulates every point, replication and strategy and writes the results folder.
fn run_command(
    scenario: &Path,
    output: Option<PathBuf>,
    threads: Option<usize>,
    sets: &[String],
    shard: Option<&str>,
    quiet: bool,
    force: bool,
) -> Result<()> {
    let started = std::time::SystemTime::now();
    if threads == Some(0) {
        return Err(Error::Usage("--threads must be at least 1".into()));
    }
    let shard = shard.map(parse_shard).transpose()?;
    let plan = scenario::load_plan(scenario, sets, strategies::KINDS)?;
    let threads_used = threads.unwrap_or_else(rayon::current_num_threads);
    let est = estimate::estimate_work(&plan, threads_used);
    if !force && let Some(why) = est.refusal(estimate::available_memory()) {
        return Err(Error::Usage(format!("{}: {why}", scenario.display())));
    }
    let dir = output.unwrap_or_else(|| output::default_dir(scenario));
    let opts = RunOptions {
        threads,
        quiet,
        shard,
    };
    let results = runner::run_plan(&plan, &opts)?;
    let mut files = output::render(&plan, &results);
    files.extend(output::trace_report::files(&results));
    let scenario_toml = files
        .iter()
        .find(|(name, _)| name == "scenario.toml")
        .map(|(_, bytes)| bytes.clone())
        .unwrap_or_default();
    output::write_folder(&dir, &files, |d| {
        output::draw(d)?;
        // Last, so that finished_utc counts the plots too.
        let m = Manifest::new(
            &scenario_toml,
            plan.base.seed,
            shard.map(|(k, n)| ShardField::One(Shard { k: k + 1, n })),
            Some(threads_used),
            started,
        );
        m.write(d)
    })?;
    if !quiet {
        eprintln!(
            "gnutsim: {} runs written to {}",
            results.len(),
            dir.display()
        );
    }
    Ok(())
}

/// `gnutsim check`: validates, prints the resolved scenario and the size of the work.
fn check(scenario: &Path, sets: &[String]) -> Result<()> {
    let plan = scenario::load_plan(scenario, sets, strategies::KINDS)?;
    let est = estimate::estimate_work(&plan, rayon::current_num_threads());
    let refusal = est.refusal(estimate::available_memory());
    // Build replication 0's overlay of the first point, to warn about a disconnected one (unless the
    // world itself would be too big to build here).
    if refusal.is_none() {
        warn_if_disconnected(&World::build(&plan.points[0].scenario, 0)?.graph);
    }
    say!("{}", output::resolved_plan(&plan));
    sayln!("\n{}", work_summary(&plan));
    sayln!(
        "# estimated work: about {:.1e} events, about {:.0} MB at the peak with {} threads",
        est.events,
        est.peak_bytes / 1e6,
        rayon::current_num_threads()
    );
    if let Some(why) = refusal {
        sayln!("# warning: `run` will refuse this without --force: {why}");
    }
    Ok(())
}

/// `gnutsim plot`: redraws a results folder's plots.
fn plot(dir: &Path) -> Result<()> {
    if !dir.join("runs.csv").is_file() {
        return Err(Error::Usage(format!(
            "{} is not a results folder (it has no runs.csv)",
            dir.display()
        )));
    }
    output::draw(dir)?;
    let plots = count_pngs(&dir.join("plots"));
    sayln!(
        "gnutsim: redrew {plots} plots (PNG and SVG) in {} and {}",
        dir.join("plots").display(),
        dir.join("report.html").display()
    );
    Ok(())
}

/// PNG files under `dir`, in its `point-K/` folders too.
fn count_pngs(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path())
                .map(|p| {
                    if p.is_dir() {
                        count_pngs(&p)
                    } else {
                        usize::from(p.extension().is_some_and(|x| x == "png"))
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

/// `gnutsim merge`: merges shards' results folders into one.
/// Refuses shards of different runs (their scenario_sha256 differ) and, unless `partial`, a set of shards that
/// misses some (point, replication) pairs of the run.
fn merge(dirs: &[PathBuf], output: &Path, partial: bool) -> Result<()> {
    let started = std::time::SystemTime::now();
    for d in dirs {
        if !d.is_dir() {
            return Err(Error::Usage(format!("{} is not a folder", d.display())));
        }
    }
    let manifests = output::merge::same_run(dirs)?;
    let (files, runs) = output::merge::merge(dirs)?;
    let scenario_toml = files
        .iter()
        .find(|(name, _)| name == "scenario.toml")
        .map(|(_, bytes)| bytes.clone())
        .unwrap_or_default();
    let plan = scenario::load_plan(&dirs[0].join("scenario.toml"), &[], strategies::KINDS)?;
    let missing = output::merge::missing_pairs(&plan, &runs)?;
    if !partial {
        output::merge::refuse_missing(&missing)?;
    }
    let shards = manifests
        .iter()
        .map(|m| match m.as_ref().and_then(|m| m.shard.clone()) {
            Some(ShardField::One(s)) => Some(s),
            _ => None,
        })
        .collect();
    output::write_folder(output, &files, |d| {
        output::draw(d)?;
        let m = Manifest::new(
            &scenario_toml,
            plan.base.seed,
            Some(ShardField::Merged(shards)),
            None,
            started,
        );
        m.write(d)
    })?;
    Ok(())
}

/// `gnutsim topology`: replication 0's overlay of a sweep point, as statistics, Graphviz or an edge list.
fn topology(
    scenario: &Path,
    format: TopologyFormat,
    output: Option<&Path>,
    point: usize,
    sets: &[String],
) -> Result<()> {
    let (_, world, named) = point_world(scenario, sets, point)?;
    let g = &world.graph;
    warn_if_disconnected(g);
    let text = match format {
        TopologyFormat::Stats => {
            let stats = GraphStats::compute(g);
            let mut text: String = named.map(|n| format!("point: {n}\n")).unwrap_or_default();
            text += &stats
                .lines()
                .iter()
                .map(|(k, v)| format!("{k}: {v}\n"))
                .collect::<String>();
            if let Some(u) = &world.ultrapeers {
                let ups = u.iter().filter(|&&x| x).count();
                text.push_str(&format!("ultrapeers: {ups}\nleaves: {}\n", u.len() - ups));
            }
            text
        }
        TopologyFormat::Dot => edgelist::to_dot(g, world.ultrapeers.as_deref(), &[]),
        TopologyFormat::Edgelist => edgelist::write(g),
    };
    emit(&text, output)
}

/// `gnutsim trace`: one query of replication 0 of a sweep point, hop by hop.
fn trace(
    scenario: &Path,
    strategy: Option<&str>,
    query: Option<u64>,
    format: TraceFormat,
    output: Option<&Path>,
    point: usize,
    sets: &[String],
) -> Result<()> {
    let (s, world, named) = point_world(scenario, sets, point)?;
    let s = &s;
    let st = match strategy {
        None => &s.strategies[0],
        Some(name) => s
            .strategies
            .iter()
            .find(|x| x.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = s.strategies.iter().map(|x| x.name.as_str()).collect();
                Error::Usage(format!(
                    "--strategy {name}: the scenario has no such strategy (it has: {})",
                    names.join(", ")
                ))
            })?,
    };
    let index = query.unwrap_or(0);
    let Some(t) = strategies::trace_query(s, st, &world, index) else {
        // Count what the run issues: every query, warm-up included, in issue order as --query numbers them.
        let mut all = s.clone();
        all.output.queries = true;
        let issued = strategies::simulate(&all, st, &world).queries.len();
        return Err(Error::Usage(format!(
            "--query {index}: the run issues {issued} queries (numbered 0 to {}); choose a smaller --query",
            issued.saturating_sub(1)
        )));
    };
    let at = named.map(|n| format!(", point {n}")).unwrap_or_default();
    let head = format!(
        "gnutsim trace: {}{at}, replication 0, strategy {} ({})",
        s.name,
        st.name,
        st.kind()
    );
    let text = if format == TraceFormat::Html {
        crate::trace_page::page(&world, &t, head)
    } else if format == TraceFormat::Dot {
        if world.peers() > 500 {
            eprintln!(
                "warning: {} peers make a drawing few can read; trace a smaller scenario (--set network.peers=...)",
                world.peers()
            );
        }
        edgelist::to_dot(
            &world.graph,
            world.ultrapeers.as_deref(),
            &output::trace::first_copy_links(&t),
        )
    } else {
        format!(
            "{head}\n{}",
            output::trace::render(&t, world.peers(), world.roles.as_ref())
        )
    };
    emit(&text, output)
}

/// The scenario of sweep point `point` and its replication 0's world: what `topology` and `trace` show. With a
/// sweep, the point is named too (`K (key=value, ...)`), and a `--set` that the sweep overrides is warned about.
fn point_world(
    file: &Path,
    sets: &[String],
    point: usize,
) -> Result<(crate::scenario::Scenario, World, Option<String>)> {
    let plan = scenario::load_plan(file, sets, strategies::KINDS)?;
    let Some(p) = plan.points.get(point) else {
        return Err(Error::Usage(format!(
            "--point {point}: {} has {} sweep points (0 to {})",
            file.display(),
            plan.points.len(),
            plan.points.len() - 1
        )));
    };
    for set in sets {
        let key = set.split_once('=').map_or(set.as_str(), |(k, _)| k.trim());
        if let Some(swept) = plan.swept_keys.iter().find(|s| {
            *s == key || s.starts_with(&format!("{key}.")) || key.starts_with(&format!("{s}."))
        }) {
            eprintln!(
                "warning: --set {key} is overridden by the sweep's \"{swept}\" at every point"
            );
        }
    }
    let named = (!plan.swept_keys.is_empty()).then(|| {
        let at: Vec<String> = plan
            .swept_keys
            .iter()
            .zip(&p.values)
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!("{} ({})", p.index, at.join(", "))
    });
    let s = p.scenario.clone();
    let world = World::build(&s, 0)?;
    Ok((s, world, named))
}

/// Writes command output to a file (-o) or standard output.
fn emit(text: &str, output: Option<&std::path::Path>) -> Result<()> {
    match output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| Error::Other(anyhow::anyhow!("cannot write {}: {e}", path.display()))),
        None => {
            say!("{text}");
            Ok(())
        }
    }
}

/// Disconnected overlays are legal but change what searches can do: say so.
fn warn_if_disconnected(g: &crate::graph::Graph) {
    let sizes = crate::topology::stats::component_sizes(g);
    if sizes.len() > 1 {
        eprintln!(
            "warning: the overlay is disconnected: {} components, the largest holds {:.1}% of the peers",
            sizes.len(),
            100.0 * sizes[0] as f64 / g.len() as f64
        );
    }
}

/// `K/N` with 1 <= K <= N, as (K - 1, N).
fn parse_shard(text: &str) -> Result<(usize, usize)> {
    let bad = || {
        Error::Usage(format!(
            "--shard {text}: expected K/N with 1 <= K <= N, e.g. --shard 2/4"
        ))
    };
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let k: usize = k.trim().parse().map_err(|_| bad())?;
    let n: usize = n.trim().parse().map_err(|_| bad())?;
    if k == 0 || k > n {
        return Err(bad());
    }
    Ok((k - 1, n))
}

/// The size of the work, as `check` prints it (TOML comments, so the output stays a valid scenario).
fn work_summary(plan: &Plan) -> String {
    let s = &plan.base;
    let points = plan.points.len();
    let queries: f64 = plan
        .points
        .iter()
        .map(|p| {
            p.scenario.expected_queries()
                * p.scenario.replications as f64
                * p.scenario.strategies.len() as f64
        })
        .sum();
    // The power-law degree ranges solved at each sweep point (without a sweep, the resolved scenario shows it).
    let mut solved = String::new();
    if !plan.swept_keys.is_empty() {
        for p in &plan.points {
            if let crate::scenario::TopologyKind::PowerLaw { exponent, degrees } =
                &p.scenario.topology.kind
            {
                let line = crate::scenario::resolved::solved_comment(*exponent, degrees);
                if let Some(rest) = line.strip_prefix("# ") {
                    let at: Vec<String> = plan
                        .swept_keys
                        .iter()
                        .zip(&p.values)
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect();
                    solved += &format!("# point {} ({}): {rest}\n", p.index, at.join(", "));
                }
            }
        }
    }
    format!(
        "{solved}# work: {points} point{} x {} replications x {} strategies = {} runs\n\
         # peers: {}\n\
         # expected queries per run: {:.0} (all runs: {:.0})",
        if points == 1 { "" } else { "s" },
        s.replications,
        s.strategies.len(),
        plan.runs(),
        s.network.peers,
        s.expected_queries(),
        queries,
    )
}

/// `gnutsim validate`: runs the suite, prints a line per comparison, writes the folder if asked; fails unless
/// every comparison passes.
fn validate(output: Option<&Path>, threads: Option<usize>, list: bool) -> Result<()> {
    if threads == Some(0) {
        return Err(Error::Usage("--threads must be at least 1".into()));
    }
    if list {
        say!("{}", validate::listing());
        return Ok(());
    }
    let rows = validate::run_all(threads)?;
    say!("{}", output::validation::text(&rows));
    if let Some(dir) = output {
        let files = vec![("validate.csv".to_string(), output::validation::csv(&rows))];
        let fig = output::validation::figure(&rows);
        output::write_folder(dir, &files, |d| output::chart::save(&fig, d, "validate"))?;
    }
    let failed = rows.iter().filter(|r| !r.passed()).count();
    if failed > 0 {
        return Err(Error::Other(anyhow::anyhow!(
            "{failed} of {} validation results do not reproduce their theory",
            rows.len()
        )));
    }
    Ok(())
}

/// Writes `text` to standard output; a closed pipe ends the process with status 0 (the reader has what it wanted).
pub(crate) fn write_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}
