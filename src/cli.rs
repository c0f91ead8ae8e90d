//! The command line: global flags and the subcommands (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::rule::RuleCode;

/// The variables rel reads, for `rel --help` and the man page's ENVIRONMENT.
pub const ENVIRONMENT: [(&str, &str); 3] = [
    (
        "REL_NOW",
        "an RFC 3339 instant used as \"now\" (tests, what-if planning)",
    ),
    (
        "REL_ACTOR",
        "\"Name <email>\" of who is acting (default: git user.name/user.email)",
    ),
    ("NO_COLOR", "no colours even on a terminal"),
];

/// The exit codes, for `rel --help` and the man page's EXIT STATUS.
pub const EXIT_STATUS: &str = "\
0 done/ready, 1 refused by a rule (nothing written) or not ready,
2 usage or invalid input, 3 conflict (lock held, uncommitted edits, branch
moved, confirmation needed), 4 internal failure (unreadable git object, full
disk). With --json, stdout holds one JSON document whatever the exit code.";

fn after_help() -> String {
    let mut text = String::from("Environment:\n");
    for (name, what) in ENVIRONMENT {
        text.push_str(&format!("  {name:<11} {what}\n"));
    }
    format!("{text}\nExit codes: {EXIT_STATUS}")
}

/// The heading the flags every command takes are listed under, in `rel
/// --help`, in each command's help and in the man page, apart from the
/// command's own options.
const GLOBAL: &str = "Global options";

/// Run software releases out of a git repository.
///
/// rel keeps a release pipeline (environments.toml), release manifests and an
/// incident register (releases/) as TOML files in git. Every change is checked
/// by the rules first and, when allowed, committed as one git commit.
#[derive(Debug, Parser)]
#[command(
    name = "rel",
    version,
    after_help = after_help(),
    subcommand_help_heading = "Commands"
)]
pub struct Cli {
    /// Run as if started in DIR.
    #[arg(short = 'C', value_name = "DIR", global = true, help_heading = GLOBAL)]
    pub dir: Option<PathBuf>,
    /// Machine output (JSON) on stdout; messages go to stderr.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub json: bool,
    /// Evaluate and show what would change; write nothing.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub dry_run: bool,
    /// Reading commands: evaluate the work tree's files, uncommitted edits
    /// included (what-if planning), instead of the last commit.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub worktree: bool,
    /// Reading commands: fetch the shared branch and fast-forward first, as
    /// `rel sync` does (the default with `[sync] fetch_on_read = true`).
    #[arg(long, global = true, help_heading = GLOBAL, conflicts_with = "no_fetch")]
    pub fetch: bool,
    /// Reading commands: read this clone as it is, even with
    /// `fetch_on_read` (offline).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub no_fetch: bool,
    /// Answer yes to confirmations (needed without a terminal).
    #[arg(short = 'y', long, global = true, help_heading = GLOBAL)]
    pub yes: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateFilter {
    Open,
    Frozen,
    Released,
    Cancelled,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NotesFormat {
    Markdown,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a release repository here: environments.toml (the default
    /// four-stage pipeline), releases/ and releases/incidents/; runs `git init`
    /// first when not inside a git repository.
    Init,
    /// Show the pipelines as configured, in order, with their rules.
    Env {
        /// Only this pipeline (default: every pipeline).
        #[arg(long, value_name = "NAME")]
        pipeline: Option<String>,
    },
    /// Fetch the shared branch (`[sync]` in environments.toml) and
    /// fast-forward this clone to it; exit 3 when they have diverged.
    Sync,
    /// One row per release in progress: where it is, for how long, and what
    /// it waits for.
    Status {
        /// Only the updates of this installation.
        #[arg(long, value_name = "NAME")]
        installation: Option<String>,
        /// Only the releases of this pipeline.
        #[arg(long, value_name = "NAME")]
        pipeline: Option<String>,
    },
    /// List releases, one row each: those in progress, or --state.
    List {
        /// Which releases: open, frozen, released, cancelled or all
        /// (finished ones are read from the archive). Default: in progress.
        #[arg(long, value_enum)]
        state: Option<StateFilter>,
        /// Only the updates of this installation.
        #[arg(long, value_name = "NAME")]
        installation: Option<String>,
        /// Only the releases of this pipeline.
        #[arg(long, value_name = "NAME")]
        pipeline: Option<String>,
    },
    /// Everything about one release, history included.
    Show {
        /// The release id.
        release: String,
    },
    /// Create a release in the first environment; prints its id.
    New(NewArgs),
    /// The incident register: work requests, defects and changes.
    #[command(subcommand)]
    Incident(IncidentCommand),
    /// Client installations: the version each runs, its admins, approvers
    /// and maintenance windows.
    #[command(subcommand)]
    Installation(crate::cli_updates::InstallationCommand),
    /// One update per installation (all below the version, or those named),
    /// in one commit.
    Rollout(crate::cli_updates::RolloutArgs),
    /// A release's update path (simple or standard), its hop and the
    /// reasons; `--set` reclassifies.
    Path(crate::cli_updates::PathArgs),
    /// Add incidents to a release (all or none). Each must be resolved,
    /// authorised by the client and in no other release in progress.
    Group {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// Incident ids to add.
        #[arg(required = true, value_name = "INCIDENT")]
        incidents: Vec<String>,
    },
    /// Remove incidents from a release (all or none).
    Ungroup {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// Incident ids to remove; each must be in the release.
        #[arg(required = true, value_name = "INCIDENT")]
        incidents: Vec<String>,
    },
    /// Lock the release's content: no incident may be added or removed. Needs
    /// at least one incident, each resolved and with test evidence.
    Freeze {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
    },
    /// Unlock the release's content; approvals, ticks and health reports made
    /// for the frozen content no longer count.
    Unfreeze {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// Why the content must change (recorded).
        #[arg(long, required = true)]
        reason: String,
    },
    /// May the release be promoted now (or at --at)? Exit 0 ready, 1 not ready;
    /// lists every failing rule and when it could be ready.
    Check {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// Target environment (default: the next one).
        #[arg(long, value_name = "ENV")]
        to: Option<String>,
        /// Evaluate at this RFC 3339 instant instead of now.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// Check, then move the release to the next (or --to) environment; asks
    /// first when the target has `confirm` (pass --yes in scripts).
    Promote {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// Target environment (default: the next one); only optional
        /// environments may be passed over.
        #[arg(long, value_name = "ENV")]
        to: Option<String>,
        /// Set aside a rule (soak, window, blackout, approval, checklist,
        /// health, exclusive) within the target's `overridable`; needs --reason.
        #[arg(long = "override", value_name = "RULE", num_args = 1..)]
        overrides: Vec<RuleCode>,
        /// Why the rules are set aside (recorded in the manifest and commit).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Record your approval of the release entering ENV as ROLE.
    Approve {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// The environment to be entered (one of its `approvals` roles).
        #[arg(long, value_name = "ENV")]
        env: String,
        /// The role you approve as; a role listed under [roles] needs your
        /// e-mail there.
        #[arg(long, value_name = "ROLE")]
        role: String,
    },
    /// Tick a checklist item of ENV, by its text or its 1-based number.
    Tick {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// The environment whose checklist it is: the one the release is in
        /// (its exit items) or one ahead (its entry items).
        #[arg(long, value_name = "ENV")]
        env: String,
        /// The item's text, or its 1-based number among the items that apply
        /// to the release's kind.
        item: String,
    },
    /// Run the current environment's health check and record the report, or
    /// record a result produced elsewhere with --passed/--failed.
    ///
    /// The check is the environment's `health_check` in environments.toml,
    /// run by `sh -c` in the repository's root with REL_RELEASE, REL_VERSION
    /// and REL_ENV set, and stopped with everything it started after
    /// `health_timeout`. Its output is shown as it comes; on a terminal a
    /// spinner shows the time spent. The report is recorded, passed or
    /// failed: it is evidence. Exit 0 when it passed, 1 when it failed.
    Verify {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// Number of tests that passed (records an external result).
        #[arg(long, value_name = "N")]
        passed: Option<u64>,
        /// Number of tests that failed (records an external result).
        #[arg(long, value_name = "N")]
        failed: Option<u64>,
        /// Path or URL of the report.
        #[arg(long, value_name = "PATH")]
        report: Option<String>,
    },
    /// The earliest time the release can enter each remaining environment,
    /// and what else still blocks it.
    Plan {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
    },
    /// Move the release back to an earlier environment (its soak starts again).
    Rollback {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// An environment behind the one the release is in.
        #[arg(long, value_name = "ENV")]
        to: String,
        /// Why the release goes back (recorded in the manifest and commit).
        #[arg(long, required = true)]
        reason: String,
    },
    /// Mark a release in the last environment, exit checklist done, as released.
    Close {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
    },
    /// Move the finished releases a repository made before revision 3
    /// keeps in releases/ into the archive, in one commit.
    Archive,
    /// Cancel a release; its incidents may be grouped again.
    Cancel {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// Why the release is cancelled (recorded in the manifest and commit).
        #[arg(long, required = true)]
        reason: String,
    },
    /// Release notes: breaking changes first, each incident's title, impact
    /// and components.
    Notes {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// Markdown for people, or JSON with the same content for tools.
        #[arg(long, value_enum, default_value = "markdown")]
        format: NotesFormat,
        /// Write the notes to FILE instead of stdout.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Internal: renders a notes template within bounds (memory in MB, CPU
    /// seconds); the job comes as JSON on stdin. See `bounded::template`.
    #[command(name = "__render-template", hide = true)]
    RenderTemplate { memory_mb: u64, cpu_seconds: u64 },
    /// Replay the branch's history against the rules of each commit's day;
    /// exit 1 when anything was not as the rules allow.
    ///
    /// Reads the first-parent history of the current branch, oldest first,
    /// and judges each commit that changed rel's files: its trailers, its
    /// author and the state before it. Lists every finding and every change
    /// of environments.toml. On a terminal a bar shows the commits done.
    Audit {
        /// Start at this commit (included); default: the beginning.
        #[arg(long, value_name = "REV")]
        since: Option<String>,
        /// Run as a git pre-receive hook in the shared bare repository:
        /// read git's `<old> <new> <ref>` lines on stdin and refuse the
        /// push (exit 1) when the pushed commits of the shared branch have
        /// a finding, delete it, or are not a fast-forward of it.
        #[arg(long, conflicts_with = "since")]
        hook: bool,
    },
    /// One deterministic JSON document with everything an auditor needs
    /// about a release: manifest, incidents, each commit with its verdict
    /// decided again, approvals, health reports, the rules in force, the
    /// audit's findings, the notes, and sha256 digests.
    Evidence {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// Write the document to FILE instead of stdout.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// The audit trail read from git history, newest first.
    Log {
        /// Only the entries of this release.
        release: Option<String>,
        /// Only the entries about this environment (a promotion's is its target).
        #[arg(long, value_name = "ENV")]
        env: Option<String>,
        /// Only entries on or after this date (YYYY-MM-DD) or instant.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
    },
    /// Schedule the release's promotion into ENV (default: the next
    /// environment) at TIME; decided with the rules of `check` at TIME.
    Schedule(ScheduleArgs),
    /// Move a schedule to another time.
    Reschedule {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// RFC 3339, `YYYY-MM-DD HH:MM` in the calendar's timezone, or `earliest`.
        #[arg(long, value_name = "TIME")]
        at: String,
        /// The scheduled environment (default: the next one).
        #[arg(long, value_name = "ENV")]
        to: Option<String>,
        /// Why it moves (recorded in the manifest and commit).
        #[arg(long, required = true)]
        reason: String,
        /// Set aside `notice` (a change later than the environment's
        /// schedule_notice allows); needs --reason.
        #[arg(long = "override", value_name = "RULE", num_args = 1..)]
        overrides: Vec<RuleCode>,
    },
    /// Cancel a schedule (and those after it, which depend on it).
    Unschedule {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// The scheduled environment (default: the next one).
        #[arg(long, value_name = "ENV")]
        to: Option<String>,
        /// Why it is cancelled (recorded in the manifest and commit).
        #[arg(long, required = true)]
        reason: String,
        /// Set aside `notice`; needs --reason.
        #[arg(long = "override", value_name = "RULE", num_args = 1..)]
        overrides: Vec<RuleCode>,
    },
    /// Schedules whose time has come, each with its verdict now; --apply
    /// promotes those that are ready (one commit each).
    Due {
        /// Promote the due schedules that are ready, until nothing more is.
        #[arg(long)]
        apply: bool,
    },
    /// Stop the release's movement, by hand or by schedule (rule `held`).
    Hold {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// Why it is held (recorded in the manifest and commit).
        #[arg(long, required = true)]
        reason: String,
    },
    /// Allow a held release to move again.
    Resume {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// Why it may move again.
        #[arg(long)]
        reason: Option<String>,
    },
    /// An iCalendar (RFC 5545) feed of schedules (with their slots) and
    /// blackouts, with stable event ids.
    Calendar {
        /// Write the feed to FILE (never into .git or onto rel's files)
        /// instead of stdout.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Only the schedules of this pipeline's releases, and its
        /// environments' blackouts.
        #[arg(long, value_name = "NAME")]
        pipeline: Option<String>,
    },
    // For people and their tools (contract section 10).
    /// Print a completion script for SHELL on stdout.
    #[command(long_about = COMPLETIONS_LONG)]
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The manual page rel.1 in roff, on stdout; with --output DIR, rel.1 and
    /// one page per command (rel-promote.1, ...) written into DIR.
    #[command(hide = true)]
    Man {
        /// Write the pages into DIR (made when missing) instead of printing
        /// rel.1.
        #[arg(long, value_name = "DIR")]
        output: Option<PathBuf>,
    },
    /// Every installation with its version and its update in progress
    /// (where, next schedule, health, held, what blocks it), and a summary;
    /// with --version, the campaign towards that version.
    Fleet {
        /// A version, or a product release id (its version): the campaign.
        #[arg(long, value_name = "VERSION")]
        version: Option<String>,
        /// Only updates of this pipeline (those of `[installations]
        /// pipeline` unless that changed while they were in progress).
        #[arg(long, value_name = "NAME")]
        pipeline: Option<String>,
    },
    /// When each release in progress gets where it is going, given all the
    /// others: soaks, windows, blackouts, schedules, holds, dependencies and
    /// exclusive environments as queues, with why each wait happens.
    Forecast {
        /// End the forecast at this RFC 3339 instant (default: when every
        /// release is in its last environment, or 365 days).
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        /// Show only this release (repeatable); the others still count.
        #[arg(long = "release", value_name = "RELEASE")]
        releases: Vec<String>,
        /// Stop a release at the first step that needs a person (approval,
        /// checklist, health, freeze, confirmation) and name who must act.
        #[arg(long)]
        strict: bool,
    },
    /// R waits for another release: it may not be promoted (into
    /// `--before`, default any environment) until R2 has reached
    /// `--reached` (default: until R2 is released).
    Depend {
        /// The release that waits, e.g. R-2026-002 (any case).
        release: String,
        /// The release it waits for.
        #[arg(long, value_name = "RELEASE")]
        on: String,
        /// How far R2 must have gone in its pipeline (default: released).
        #[arg(long, value_name = "ENV")]
        reached: Option<String>,
        /// The environment R may not enter before (default: any).
        #[arg(long, value_name = "ENV")]
        before: Option<String>,
        /// Drop the dependency on R2 instead (needs --reason).
        #[arg(long)]
        off: bool,
        /// Why the dependency is dropped (with --off).
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Another round in the current environment when it is `repeatable` (a
    /// dry run again): its exit items, health report and soak start afresh.
    Repeat {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// Why the round is repeated (recorded in the manifest and commit).
        #[arg(long, required = true)]
        reason: String,
    },
    /// The release's own checklist items (the go-live list a dry run
    /// builds), ticked like the pipeline's.
    #[command(subcommand)]
    Checklist(ChecklistCommand),
    /// Take a tick back (the exit items of the current environment, or the
    /// entry items of one ahead).
    Untick {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// The environment whose checklist it is.
        #[arg(long, value_name = "ENV")]
        env: String,
        /// The item's text, or its 1-based number as `rel tick` takes it.
        item: String,
        /// Why the tick is taken back (recorded in the manifest and commit).
        #[arg(long, required = true)]
        reason: String,
    },
    /// A static HTML page of the pipeline: a column per environment with
    /// the releases in it, their readiness, schedules, holds and plans;
    /// and a page of the fleet, as `rel fleet` shows it.
    Board(BoardArgs),
}

#[derive(Debug, Subcommand)]
pub enum ChecklistCommand {
    /// Add items of ENV's entry list (or exit list, with --exit) for this
    /// release only; all or none.
    Add {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// The environment whose checklist gains the items.
        #[arg(long, value_name = "ENV")]
        env: String,
        /// The exit list (ticked while in ENV, before leaving or closing).
        #[arg(long)]
        exit: bool,
        /// The items' texts.
        #[arg(required = true, value_name = "ITEM")]
        items: Vec<String>,
    },
    /// Remove one of the release's own items (the pipeline's are changed in
    /// environments.toml).
    Remove {
        /// The release id, e.g. R-2026-001 (any case).
        release: String,
        /// The environment whose checklist it is on.
        #[arg(long, value_name = "ENV")]
        env: String,
        /// The exit list.
        #[arg(long)]
        exit: bool,
        /// The item's text, or its 1-based number as `rel tick` takes it.
        item: String,
        /// Why it is removed (recorded in the manifest and commit).
        #[arg(long, required = true)]
        reason: String,
    },
}

const COMPLETIONS_LONG: &str = "\
Print a completion script for SHELL on stdout, made from the same definitions \
as this help, so it completes every command and option of this version.

  bash        rel completions bash > ~/.local/share/bash-completion/completions/rel
  zsh         rel completions zsh > ~/.zfunc/_rel   (with fpath+=~/.zfunc in ~/.zshrc)
  fish        rel completions fish > ~/.config/fish/completions/rel.fish
  powershell  rel completions powershell >> $PROFILE
  elvish      rel completions elvish >> ~/.config/elvish/rc.elv";

#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// The release id, e.g. R-2026-001 (any case).
    pub release: String,
    /// RFC 3339, `YYYY-MM-DD HH:MM` in the calendar's timezone, or
    /// `earliest` (the first instant the time rules allow).
    #[arg(long, value_name = "TIME")]
    pub at: String,
    /// The environment (default: the next one).
    #[arg(long, value_name = "ENV")]
    pub to: Option<String>,
    /// The maintenance window booked, e.g. 2h (default: none).
    #[arg(long, value_name = "DURATION")]
    pub slot: Option<String>,
    /// A note, e.g. who agreed to the date.
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Semantic version, e.g. 1.4.0 (for an update, also a product
    /// release's id, meaning its version).
    #[arg(long)]
    pub version: String,
    /// What the release is, in a few words (needed, except for an update
    /// of an installation: "Update of NAME to VERSION" by default).
    #[arg(long)]
    pub title: Option<String>,
    /// major, minor or patch (default: from the version).
    #[arg(long)]
    pub kind: Option<String>,
    /// Release id (default: R-YYYY-NNN, the next free number in the year).
    #[arg(long)]
    pub id: Option<String>,
    /// Target date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub target: Option<String>,
    /// Make it an update of this installation, from the version it runs
    /// (id default NAME-VERSION).
    #[arg(long, value_name = "NAME")]
    pub installation: Option<String>,
    /// The pipeline it goes through (default: `default`; an update:
    /// `[installations] pipeline`). It never changes.
    #[arg(long, value_name = "NAME")]
    pub pipeline: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Register an incident (status open).
    New {
        /// The new incident's id, e.g. INC-101.
        id: String,
        /// What the change is, as the client will read it in the notes.
        #[arg(long)]
        title: String,
        /// A technical component, KIND:NAME (e.g. dll:Billing.dll); repeatable.
        #[arg(long = "component", value_name = "KIND:NAME")]
        components: Vec<String>,
        /// The change breaks compatibility for users.
        #[arg(long)]
        breaking: bool,
        /// It needs compatibility work for clients' customisations.
        #[arg(long)]
        compat_work: bool,
        /// It needs work on the client's side.
        #[arg(long)]
        client_work: bool,
        /// The impact on users, for the release notes.
        #[arg(long)]
        impact: Option<String>,
    },
    /// Set (or with --off clear) flags that decide a release's update path:
    /// breaking, compat-work, client-work.
    Flag {
        /// The incident id, e.g. INC-101 (any case).
        id: String,
        /// breaking, compat-work or client-work.
        #[arg(required = true, value_name = "FLAG")]
        flags: Vec<String>,
        /// Clear the flags instead of setting them.
        #[arg(long)]
        off: bool,
    },
    /// Mark an incident resolved.
    Resolve {
        /// The incident id, e.g. INC-101 (any case).
        id: String,
    },
    /// Put an incident back to open (refused while grouped in a release in progress).
    Reopen {
        /// The incident id, e.g. INC-101 (any case).
        id: String,
    },
    /// Record the client's authorisation to take the change live.
    #[command(visible_alias = "authorize")]
    Authorise {
        /// The incident id, e.g. INC-101 (any case).
        id: String,
        /// Who authorised, on the client's side (default: the actor).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
    /// Record test evidence (a document path or URL); may be repeated.
    Test {
        /// The incident id, e.g. INC-101 (any case).
        id: String,
        /// The test document: a path or a URL.
        #[arg(long, value_name = "PATH-OR-URL")]
        evidence: String,
    },
    /// Record technical components touched by the incident.
    Component {
        /// The incident id, e.g. INC-101 (any case).
        id: String,
        /// Components such as dll:Billing.dll, parameter:INVOICE_ROUNDING or
        /// permission:export.bulk.
        #[arg(required = true, value_name = "KIND:NAME")]
        components: Vec<String>,
    },
    /// List the incident register: incidents not shipped (and with --all,
    /// those the archive holds).
    List {
        /// The incidents shipped by released releases too (the archive).
        #[arg(long)]
        all: bool,
        /// Only incidents not held by a release.
        #[arg(long)]
        unassigned: bool,
        /// Only incidents with this status (open, resolved, closed).
        #[arg(long)]
        status: Option<String>,
    },
    /// Everything about one incident.
    Show {
        /// The incident id, e.g. INC-101 (any case).
        id: String,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}

#[derive(Debug, Args)]
pub struct BoardArgs {
    /// Write index.html, fleet.html and board.css into DIR (made if
    /// missing; its parent must exist) instead of board/ beside
    /// environments.toml.
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Only this pipeline's environments and releases.
    #[arg(long, value_name = "NAME")]
    pub pipeline: Option<String>,
}
