//! The command line of installations and update paths (contract section
//! 8): `rel installation …`, `rel rollout`, `rel path`, kept apart from
//! `cli.rs` so each stays readable.

use clap::{Args, Subcommand};

/// What `installation new` and `installation set` take.
#[derive(Debug, Args, Clone, Default)]
pub struct InstallationFlags {
    /// An administrator's e-mail, told about its updates' schedules; repeatable.
    #[arg(long = "admin", value_name = "EMAIL")]
    pub admins: Vec<String>,
    /// ROLE=EMAIL: a member of ROLE for its updates, in place of the
    /// pipeline's members of ROLE; repeatable.
    #[arg(long = "role", value_name = "ROLE=EMAIL")]
    pub roles: Vec<String>,
    /// A maintenance window ("sat 01:00-03:00") replacing the windows of
    /// every environment that has windows, for its updates; repeatable.
    #[arg(long = "window", value_name = "WINDOW")]
    pub windows: Vec<String>,
    /// The timezone its windows are in (IANA name; default: the calendar's).
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum InstallationCommand {
    /// Register a client installation and the version it runs.
    New {
        /// Its name, e.g. acme (an id: letters, digits, `-`, `_`, `.`).
        name: String,
        /// The version it runs now.
        #[arg(long)]
        version: String,
        #[command(flatten)]
        flags: InstallationFlags,
    },
    /// Change an installation: each flag given replaces that list.
    Set {
        /// The installation's name (any case).
        name: String,
        /// The version it runs (normally set by `rel close` of its update).
        #[arg(long)]
        version: Option<String>,
        #[command(flatten)]
        flags: InstallationFlags,
    },
    /// Every installation with the version it runs.
    List,
    /// One installation, with its updates.
    Show {
        /// The installation's name (any case).
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct RolloutArgs {
    /// The version to update to, or a product release's id (its version).
    #[arg(long)]
    pub version: String,
    /// What the update is, in a few words.
    #[arg(long)]
    pub title: String,
    /// Only these installations (default: every installation below VERSION); repeatable.
    #[arg(long = "installation", value_name = "NAME")]
    pub installations: Vec<String>,
}

#[derive(Debug, Args)]
pub struct PathArgs {
    /// The release id.
    pub release: String,
    /// Reclassify: simple or standard.
    #[arg(long, value_name = "PATH", requires = "reason")]
    pub set: Option<String>,
    /// Why the path is set by hand (required with --set).
    #[arg(long)]
    pub reason: Option<String>,
}
