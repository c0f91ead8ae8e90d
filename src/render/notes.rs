//! Release notes: one document, three forms. The same `Notes` value is the
//! JSON output, the context of a project's own template, and the source of
//! the built-in Markdown, so they can never say different things.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::incident::Incident;
use crate::model::release::Release;

use super::time::rfc3339;

#[derive(Debug, Clone, Serialize)]
pub struct NotesComponentGroup {
    pub kind: String,
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotesIncident {
    pub id: String,
    pub title: String,
    pub breaking: bool,
    pub impact: Option<String>,
    /// Components grouped by kind, kinds and names sorted.
    pub components: Vec<NotesComponentGroup>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Notes {
    pub release: String,
    pub title: String,
    pub version: String,
    pub kind: String,
    pub state: String,
    /// The environment reached, and when it was entered.
    pub environment: String,
    pub reached_at: String,
    pub target: Option<String>,
    /// An update's installation and the version it updates from (section
    /// 8); null for a release of the pipeline's own environments.
    pub installation: Option<String>,
    pub from_version: Option<String>,
    /// The update path (`simple`, `standard`), null where paths are not used.
    pub path: Option<String>,
    /// Breaking changes come first in every form.
    pub breaking: Vec<NotesIncident>,
    pub changes: Vec<NotesIncident>,
    /// For an update: the product releases it carries (contract 11.3),
    /// oldest first, each with its incidents; they come before the
    /// update's own.
    pub carried: Vec<NotesCarried>,
}

/// A product release an update carries, as its notes show it.
#[derive(Debug, Clone, Serialize)]
pub struct NotesCarried {
    pub release: String,
    pub title: String,
    pub version: String,
    pub state: String,
    pub environment: String,
    pub breaking: Vec<NotesIncident>,
    pub changes: Vec<NotesIncident>,
}

/// A carried product release `r` with its incidents.
pub fn carried(r: &Release, incidents: &[Incident]) -> NotesCarried {
    let (breaking, changes): (Vec<&Incident>, Vec<&Incident>) =
        incidents.iter().partition(|i| i.breaking);
    NotesCarried {
        release: r.id.clone(),
        title: r.title.clone(),
        version: r.version.clone(),
        state: r.state.to_string(),
        environment: r.environment.clone(),
        breaking: breaking.into_iter().map(notes_incident).collect(),
        changes: changes.into_iter().map(notes_incident).collect(),
    }
}

fn notes_incident(i: &Incident) -> NotesIncident {
    let mut by_kind: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in &i.components {
        let names = by_kind.entry(c.kind.clone()).or_default();
        if !names.contains(&c.name) {
            names.push(c.name.clone());
        }
    }
    NotesIncident {
        id: i.id.clone(),
        title: i.title.clone(),
        breaking: i.breaking,
        impact: i.impact.clone(),
        components: by_kind
            .into_iter()
            .map(|(kind, mut names)| {
                names.sort();
                NotesComponentGroup { kind, names }
            })
            .collect(),
    }
}

/// The notes of `r` with its incidents (in the release's order).
pub fn build(r: &Release, incidents: &[Incident]) -> Notes {
    let (breaking, changes): (Vec<&Incident>, Vec<&Incident>) =
        incidents.iter().partition(|i| i.breaking);
    Notes {
        release: r.id.clone(),
        title: r.title.clone(),
        version: r.version.clone(),
        kind: r.kind.to_string(),
        state: r.state.to_string(),
        environment: r.environment.clone(),
        reached_at: rfc3339(r.entered_at),
        target: r.target.map(|d| d.to_string()),
        installation: r.installation.clone(),
        from_version: r.from_version.clone(),
        path: r.path.as_ref().map(|p| p.name.as_str().to_string()),
        breaking: breaking.into_iter().map(notes_incident).collect(),
        changes: changes.into_iter().map(notes_incident).collect(),
        carried: Vec::new(),
    }
}

/// Escapes text so Markdown shows it literally. The text always sits
/// mid-line after our own prefix, so only inline syntax needs escaping (and
/// `#`, which would close a heading). Control characters show escaped
/// (`\u{1b}`, contract 11.10), their backslash escaped in turn.
pub fn md_escape(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let one_line = super::text::shown(&one_line);
    let mut out = String::with_capacity(one_line.len());
    for c in one_line.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '<' | '>' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `text` as an inline code span that shows it exactly: the fence is one
/// backtick longer than the longest run inside, and padded with a space
/// when the text starts or ends with a backtick (CommonMark strips one).
fn code_span(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let one_line = super::text::shown(&one_line);
    let longest_run = one_line
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let pad = if one_line.starts_with('`') || one_line.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{one_line}{pad}{fence}")
}

/// One incident under a heading of `level` (`###`...).
fn incident_md(out: &mut String, level: &str, i: &NotesIncident) {
    out.push_str(&format!(
        "{level} {}: {}\n\n",
        md_escape(&i.id),
        md_escape(&i.title)
    ));
    if let Some(impact) = &i.impact {
        out.push_str(&format!("**Impact:** {}\n\n", md_escape(impact)));
    }
    if !i.components.is_empty() {
        out.push_str("Components:\n\n");
        for g in &i.components {
            let names: Vec<String> = g.names.iter().map(|n| code_span(n)).collect();
            out.push_str(&format!(
                "- **{}**: {}\n",
                md_escape(&g.kind),
                names.join(", ")
            ));
        }
        out.push('\n');
    }
}

/// The built-in Markdown.
pub fn markdown(n: &Notes) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# {} {}: {}\n\n",
        md_escape(&n.release),
        md_escape(&n.version),
        md_escape(&n.title)
    ));
    out.push_str(&format!(
        "Version {} ({} release), {} in {} since {}.\n\n",
        md_escape(&n.version),
        n.kind,
        n.state,
        md_escape(&n.environment),
        n.reached_at.replace('T', " ").replace('Z', " UTC")
    ));
    match (&n.installation, &n.path) {
        (Some(i), path) => out.push_str(&format!(
            "Update of {} from {}{}.\n\n",
            md_escape(i),
            md_escape(n.from_version.as_deref().unwrap_or("?")),
            path.as_deref()
                .map(|p| format!(", on the {p} path"))
                .unwrap_or_default()
        )),
        (None, Some(p)) => out.push_str(&format!("On the {p} path.\n\n")),
        (None, None) => {}
    }
    let carried_any = n
        .carried
        .iter()
        .any(|c| !c.breaking.is_empty() || !c.changes.is_empty());
    if n.breaking.is_empty() && n.changes.is_empty() && !carried_any {
        if n.carried.is_empty() {
            out.push_str("This release holds no changes.");
        } else {
            let ids: Vec<String> = n.carried.iter().map(|c| md_escape(&c.release)).collect();
            out.push_str(&format!(
                "Carries {}, which hold{} no changes.",
                ids.join(", "),
                if ids.len() == 1 { "s" } else { "" }
            ));
        }
        return out;
    }
    // What the update carries, by product release, oldest first.
    for c in &n.carried {
        out.push_str(&format!(
            "## Carried: {} {}: {}\n\n",
            md_escape(&c.release),
            md_escape(&c.version),
            md_escape(&c.title)
        ));
        if c.breaking.is_empty() && c.changes.is_empty() {
            out.push_str("No changes.\n\n");
        }
        if !c.breaking.is_empty() {
            out.push_str("### Breaking changes\n\n");
            for i in &c.breaking {
                incident_md(&mut out, "####", i);
            }
        }
        if !c.changes.is_empty() {
            out.push_str("### Changes\n\n");
            for i in &c.changes {
                incident_md(&mut out, "####", i);
            }
        }
    }
    // Then the release's own; named as such after carried ones.
    let own = if n.carried.is_empty() {
        ""
    } else {
        "This update's own "
    };
    if !n.breaking.is_empty() {
        let title = if own.is_empty() {
            "Breaking changes"
        } else {
            "breaking changes"
        };
        out.push_str(&format!("## {own}{title}\n\n"));
        for i in &n.breaking {
            incident_md(&mut out, "###", i);
        }
    }
    if !n.changes.is_empty() {
        let title = if own.is_empty() { "Changes" } else { "changes" };
        out.push_str(&format!("## {own}{title}\n\n"));
        for i in &n.changes {
            incident_md(&mut out, "###", i);
        }
    }
    // No trailing newline: the caller ends the document with exactly one.
    while out.ends_with('\n') {
        out.pop();
    }
    out
}

/// Instructions a template may run; see `from_template`.
const TEMPLATE_FUEL: u64 = 10_000_000;

/// Renders a project's own minijinja template with the notes as context
/// (`release`, `title`, `version`, `breaking`, `changes`, ...). Bounded
/// only by fuel, which does not count the work inside a filter: `rel` calls
/// it only in the child process of `bounded::template`, which caps time and
/// memory.
pub fn from_template<C: Serialize>(template: &str, name: &str, n: &C) -> Result<String, String> {
    let mut env = minijinja::Environment::new();
    // A misspelt variable is an error, not a silent gap in a client's
    // document. Optional values (`impact`, `target`) are present as none.
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_filter("md_escape", |s: String| md_escape(&s));
    // A template that loops for ever stops with an error naming the place,
    // usually long before the child's time limit: far more than any real
    // document needs.
    env.set_fuel(Some(TEMPLATE_FUEL));
    env.add_template(name, template)
        .map_err(|e| describe(name, &e))?;
    let t = env.get_template(name).map_err(|e| describe(name, &e))?;
    t.render(n).map_err(|e| describe(name, &e))
}

/// `FILE:LINE: what went wrong`. minijinja's own Display appends
/// "(in FILE:LINE)", which would say the place twice.
fn describe(name: &str, e: &minijinja::Error) -> String {
    let what = match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    match e.line() {
        Some(line) => format!("{name}:{line}: {what}"),
        None => format!("{name}: {what}"),
    }
}
