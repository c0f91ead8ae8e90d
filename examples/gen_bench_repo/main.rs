//! Generates a large release repository for the benchmark (bench/run.sh).
//!
//! ```text
//! cargo run --release --example gen_bench_repo -- DIR \
//!     [--releases 10000] [--incidents 100000] [--log-commits 0] \
//!     [--full-history] [--migrated]
//! ```
//!
//! DIR must be absent or empty. It becomes a git repository (branch `main`)
//! holding the default pipeline, releases spread over the pipeline's life
//! (most released, some cancelled, a few dozen in progress, one alone in
//! the exclusive staging), and incidents (most closed in a released
//! release, a few thousand unassigned). `--log-commits N` replays the last
//! N steps of the releases' lives as N commits carrying `Rel-*` trailers,
//! for `rel log`; a first commit (the import) holds everything as it was
//! before them. A released release has 3 to 8 history events; with
//! `--full-history` its ticks, approvals and health reports are events
//! (and log commits) of their own too, as rel records them.
//!
//! By default the repository is grown in revision 3's layout (contract
//! 11.1; module `native`): the import already files the releases finished
//! by then in `releases/archive/<YYYY>/` with the incidents they shipped
//! and the archive's index, and each log commit writes what rel writes
//! for its step (a close moves the release and its incidents into the
//! archive and updates the index), all through one `git fast-import`
//! session. `--migrated` gives instead a repository made before revision
//! 3 and moved by `rel archive`: everything in `releases/`, the log
//! commits, and a last commit (`Rel-Action: archive`) filing every
//! finished release. The output is deterministic: same arguments, same
//! commit ids.
//!
//! The ids the benchmark needs (a release to show, one to check, one to
//! group into and a free incident) are written to `DIR/.git/rel-bench.env`,
//! outside the work tree.
//!
//! Files are TOML serialized with `toml::to_string` from structs that mirror
//! src/model/release.rs and src/model/incident.rs field for field, so they
//! are byte for byte what `rel` itself writes.
//!
//! The modules, in the order the flow uses them: `plan` decides every
//! release, `life` plays out each release's life (with `rng`, `clock` and
//! `words`), `incident` builds the incidents, `manifest` is the files'
//! shape; `native` writes the repository through `fast_import`; with
//! `--migrated`, `files` writes them, `git` makes the import commit,
//! `log_commits` replays the latest steps and `archive` files the finished
//! releases; `bench_env` writes the ids for bench/run.sh. `dates` checks
//! that nothing (no step, no commit) is dated after `now`, the REL_NOW of
//! bench/run.sh: the generator fails rather than leave such a repository.

mod archive;
mod bench_env;
mod clock;
mod dates;
mod fast_import;
mod files;
mod git;
mod incident;
mod life;
mod log_commits;
mod manifest;
mod native;
mod plan;
mod rng;
mod words;

use std::error::Error;
use std::path::PathBuf;
use std::time::Instant;

use crate::archive::archive;
use crate::bench_env::write_bench_env;
use crate::clock::instant;
use crate::dates::{check_commits, check_lives};
use crate::files::{parallel, write_file};
use crate::git::git;
use crate::incident::{build_incident, Holding};
use crate::life::{live, Life};
use crate::log_commits::log_commits;
use crate::native::{grow, Grown};
use crate::plan::{plan, Ctx, Spec};
use crate::words::PIPELINE;

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

struct Args {
    dir: PathBuf,
    releases: usize,
    incidents: usize,
    log_commits: usize,
    /// Ticks, approvals and health reports as history events and commits
    /// of their own, as rel records them (off: 3 to 8 events a release).
    full_history: bool,
    /// The layout of a repository made before revision 3 and moved by
    /// `rel archive` (off: grown in revision 3's layout).
    migrated: bool,
}

fn parse_args() -> Res<Args> {
    let usage = "usage: gen_bench_repo DIR [--releases 10000] [--incidents 100000] \
                 [--log-commits 0] [--full-history] [--migrated]";
    let mut dir = None;
    let (mut releases, mut incidents, mut log_commits) = (10_000, 100_000, 0);
    let (mut full_history, mut migrated) = (false, false);
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut number = |name: &str| -> Res<usize> {
            let v = it.next().ok_or(format!("{name} needs a number\n{usage}"))?;
            v.parse()
                .map_err(|_| format!("{name}: not a number: {v:?}\n{usage}").into())
        };
        match arg.as_str() {
            "--releases" => releases = number("--releases")?,
            "--incidents" => incidents = number("--incidents")?,
            "--log-commits" => log_commits = number("--log-commits")?,
            "--full-history" => full_history = true,
            "--migrated" => migrated = true,
            "-h" | "--help" => {
                println!("{usage}");
                std::process::exit(0);
            }
            _ if arg.starts_with('-') => {
                return Err(format!("unknown option {arg}\n{usage}").into())
            }
            _ if dir.is_none() => dir = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument {arg}\n{usage}").into()),
        }
    }
    Ok(Args {
        dir: dir.ok_or(usage)?,
        releases,
        incidents,
        log_commits,
        full_history,
        migrated,
    })
}

fn main() {
    if let Err(e) = run() {
        eprintln!("gen_bench_repo: {e}");
        std::process::exit(2);
    }
}

fn run() -> Res<()> {
    let args = parse_args()?;
    let dir = &args.dir;
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(format!("{} exists and is not empty", dir.display()).into());
    }
    std::fs::create_dir_all(dir)?;
    let ctx = Ctx {
        // bench/run.sh's REL_NOW (2026-11-25T12:00:00Z): nothing is dated later.
        now: instant(2026, 11, 25, 12),
        incident_width: args.incidents.to_string().len().max(6),
        full_history: args.full_history,
    };
    let clock = Instant::now();
    let phase = |what: &str| eprintln!("{:>7.2}s  {what}", clock.elapsed().as_secs_f64());

    // Plan and play out every life.
    let specs = plan(args.releases, args.incidents, &ctx)?;
    let lives: Vec<Life> = specs.iter().map(|s| live(s, usize::MAX, &ctx)).collect();
    check_lives(&specs, &lives, ctx.now)?;

    // The log commits are the latest steps of all, replayed in time order
    // on top of a first commit holding every manifest as it was before.
    let mut all_steps: Vec<(i64, usize, usize)> = lives
        .iter()
        .enumerate()
        .flat_map(|(i, l)| l.steps.iter().enumerate().map(move |(s, st)| (st.at, i, s)))
        .collect();
    all_steps.sort_unstable();
    if args.log_commits > all_steps.len() {
        eprintln!(
            "only {} steps in all; --log-commits {} reduced to that",
            all_steps.len(),
            args.log_commits
        );
    }
    let logged = all_steps.split_off(all_steps.len().saturating_sub(args.log_commits));
    let mut limits: Vec<usize> = lives.iter().map(|l| l.steps.len()).collect();
    for &(_, i, s) in &logged {
        limits[i] = limits[i].min(s);
    }
    let base_time = match logged.first() {
        Some(&(t, _, _)) => t - 60,
        None => lives
            .iter()
            .map(|l| l.latest)
            .max()
            .unwrap_or(ctx.now)
            .min(ctx.now),
    };

    // Which release holds each incident, and since when.
    let mut holdings: Vec<Option<Holding>> = vec![None; args.incidents];
    for (i, life) in lives.iter().enumerate() {
        for g in &life.groups {
            for k in g.incidents.clone() {
                holdings[k] = Some(Holding {
                    spec: i,
                    grouped_at: g.at,
                    grouped_by: g.by,
                    group_step: g.step,
                    closed: life.closed,
                });
            }
        }
    }
    phase(&format!(
        "planned {} releases, {} incidents, {} log commits",
        specs.len(),
        args.incidents,
        logged.len()
    ));

    if args.migrated {
        migrated(
            dir, &args, &specs, &lives, &limits, &holdings, &logged, &ctx, base_time, &phase,
        )?;
    } else {
        git(dir, &["init", "-q", "-b", "main"], base_time)?;
        let grown = Grown {
            specs: &specs,
            lives: &lives,
            limits: &limits,
            holdings: &holdings,
            logged: &logged,
            ctx: &ctx,
        };
        grow(dir, &grown, base_time, &phase)?;
        phase(&format!(
            "import and {} log commits (git fast-import)",
            logged.len()
        ));
        // The work tree, checked out once at the end.
        git(dir, &["reset", "-q", "--hard"], base_time)?;
        phase("checked out");
    }

    // Checked on what git stored: no commit after the bench's REL_NOW.
    check_commits(dir, ctx.now)?;
    write_bench_env(dir, &specs, &holdings, &ctx, logged.len())?;
    phase("done");
    Ok(())
}

/// The layout of a repository made before revision 3 and then moved by
/// `rel archive`: every manifest in `releases/`, the log commits replayed
/// on it, and a last commit filing the finished releases.
#[allow(clippy::too_many_arguments)]
fn migrated(
    dir: &std::path::Path,
    args: &Args,
    specs: &[Spec],
    lives: &[Life],
    limits: &[usize],
    holdings: &[Option<Holding>],
    logged: &[(i64, usize, usize)],
    ctx: &Ctx,
    base_time: i64,
    phase: &dyn Fn(&str),
) -> Res<()> {
    std::fs::create_dir_all(dir.join("releases/incidents"))?;
    std::fs::write(dir.join("environments.toml"), PIPELINE)?;
    parallel(specs.len(), |i| {
        let text = if limits[i] == lives[i].steps.len() {
            toml::to_string(&lives[i].release)?
        } else if limits[i] == 0 {
            return Ok(());
        } else {
            toml::to_string(&live(&specs[i], limits[i], ctx).release)?
        };
        write_file(dir, &format!("releases/{}.toml", specs[i].id), &text)
    })?;
    phase("wrote release manifests");
    parallel(args.incidents, |k| {
        let holding = holdings[k].map(|h| (h, &specs[h.spec]));
        let incident = build_incident(k, holding, ctx);
        let text = toml::to_string(&incident)?;
        write_file(
            dir,
            &format!("releases/incidents/{}.toml", incident.id),
            &text,
        )
    })?;
    phase("wrote incidents");

    git(dir, &["init", "-q", "-b", "main"], base_time)?;
    git(dir, &["add", "-A"], base_time)?;
    phase("git add");
    let message = format!(
        "Import the release register ({} releases, {} incidents)",
        specs.len(),
        args.incidents
    );
    git(dir, &["commit", "-q", "-m", &message], base_time)?;
    phase("git commit");

    if !logged.is_empty() {
        log_commits(dir, specs, logged, ctx)?;
        git(dir, &["reset", "-q", "--hard"], base_time)?;
        phase(&format!("{} log commits (git fast-import)", logged.len()));
    }

    // Finished releases into the archive, as `rel archive` (and every
    // `rel close` and `rel cancel` since revision 3) leaves them.
    let moved = archive(dir, specs, lives, holdings, ctx, ctx.now - 60)?;
    phase(&format!("{moved} finished releases moved into the archive"));
    Ok(())
}
