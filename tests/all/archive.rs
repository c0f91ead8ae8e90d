//! The archive of finished releases (contract 11.1): `close` and `cancel`
//! move the release's files into `releases/archive/<YYYY>/` in their one
//! commit; the commands about the past read it there; nothing about work
//! in progress reads it.

use crate::audit::{audit, commit_dated, findings};
use crate::common::git::one_commit;
use crate::common::releases::{group_ready_incident, new_release};
use crate::common::Env;

const PIPELINE: &str = "[[environments]]\nname = \"dev\"\nhealth_check = '''echo all good'''\n\n\
     [[environments]]\nname = \"live\"\n";

/// A release with incident INC-1 grouped, a health report in dev, in live.
fn in_live(env: &Env) -> String {
    let id = new_release(env, "1.4.1");
    group_ready_incident(env, &id, "INC-1");
    one_commit(env, &["incident", "component", "INC-1", "dll:Billing.dll"]);
    one_commit(env, &["verify", &id]);
    one_commit(env, &["freeze", &id]);
    one_commit(env, &["promote", &id]);
    id
}

fn renames(env: &Env) -> Vec<String> {
    env.git(&["show", "--stat", "-M", "--format=", "--summary", "HEAD"])
        .lines()
        .filter(|l| l.trim_start().starts_with("rename "))
        .map(|l| l.trim().to_string())
        .collect()
}

fn changed_files(env: &Env) -> Vec<String> {
    let mut files: Vec<String> = env
        .git(&["show", "--name-status", "--no-renames", "--format=", "HEAD"])
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.replace('\t', " "))
        .collect();
    files.sort();
    files
}

#[test]
fn close_moves_the_release_its_incidents_and_reports_in_one_commit() {
    let env = Env::with_pipeline(PIPELINE);
    let id = in_live(&env);
    let before = env.git(&["show", &format!("HEAD:releases/reports/{id}/dev-1.log")]);
    one_commit(&env, &["close", &id]);
    assert_eq!(
        changed_files(&env),
        [
            format!("A releases/archive/2026/{id}.toml"),
            "A releases/archive/2026/incidents/INC-1.toml".to_string(),
            format!("A releases/archive/2026/reports/{id}/dev-1.log"),
            "A releases/archive/index/1.toml".to_string(),
            format!("D releases/{id}.toml"),
            "D releases/incidents/INC-1.toml".to_string(),
            format!("D releases/reports/{id}/dev-1.log"),
        ]
    );
    // git sees renames: the report unchanged, the manifests edited.
    let renames = renames(&env);
    assert_eq!(renames.len(), 3, "{renames:?}");
    assert!(
        renames
            .iter()
            .any(|r| r.contains("(100%)") && r.contains("dev-1.log")),
        "{renames:?}"
    );
    assert_eq!(
        env.git(&[
            "show",
            &format!("HEAD:releases/archive/2026/reports/{id}/dev-1.log")
        ]),
        before
    );
    // `rel show` names the kept output where it lies now.
    let shown = env.rel(&["show", &id]).ok().stdout.clone();
    assert!(
        shown.contains(&format!(
            "output kept in releases/archive/2026/reports/{id}/dev-1.log"
        )),
        "{shown}"
    );
    // The work tree follows: nothing left behind, nothing uncommitted.
    assert!(!env.path(&format!("releases/{id}.toml")).exists());
    assert!(!env.path(&format!("releases/reports/{id}")).exists());
    assert!(env
        .path(&format!("releases/archive/2026/{id}.toml"))
        .is_file());
    assert_eq!(env.porcelain(), "");
}

#[test]
fn cancel_moves_the_release_and_leaves_its_incidents_in_the_register() {
    let env = Env::with_pipeline(PIPELINE);
    let id = in_live(&env);
    one_commit(&env, &["cancel", &id, "--reason", "not wanted"]);
    assert_eq!(
        changed_files(&env),
        [
            format!("A releases/archive/2026/{id}.toml"),
            format!("A releases/archive/2026/reports/{id}/dev-1.log"),
            format!("D releases/{id}.toml"),
            format!("D releases/reports/{id}/dev-1.log"),
            "M releases/incidents/INC-1.toml".to_string(),
        ]
    );
    let shown = env.rel(&["--json", "incident", "show", "INC-1"]);
    shown.ok();
    assert_eq!(
        shown.json()["release"],
        serde_json::Value::Null,
        "{}",
        shown.stdout
    );
}

/// A closed release (with INC-1) and a cancelled one (with INC-2, back
/// in the register), both archived; a third in progress.
fn past_and_present(env: &Env) -> (String, String, String) {
    let closed = in_live(env);
    one_commit(env, &["close", &closed]);
    let cancelled = new_release(env, "1.4.2");
    group_ready_incident(env, &cancelled, "INC-2");
    one_commit(env, &["cancel", &cancelled, "--reason", "not wanted"]);
    let open = new_release(env, "1.4.3");
    (closed, cancelled, open)
}

/// The ids of a `--json` listing (`list …`, `incident list …`).
pub fn ids(env: &Env, args: &[&str]) -> Vec<String> {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let run = env.rel(&all);
    run.ok();
    run.json()
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn the_commands_about_the_past_read_the_archive() {
    let env = Env::with_pipeline(PIPELINE);
    let (closed, cancelled, open) = past_and_present(&env);

    let shown = env.rel(&["--json", "show", &closed]);
    shown.ok();
    assert_eq!(shown.json()["state"], "released");
    let text = env.rel(&["show", &closed]);
    text.ok();
    assert!(text.stdout.contains("INC-1"), "{}", text.stdout);
    env.rel(&["show", &cancelled.to_lowercase()]).ok();

    let notes = env.rel(&["notes", &closed]);
    notes.ok();
    assert!(notes.stdout.contains("Change INC-1"), "{}", notes.stdout);

    let evidence = env.rel(&["evidence", &closed]);
    evidence.ok();
    let doc = evidence.json();
    let digests = doc["digests"].as_object().expect("digests");
    assert!(
        digests.contains_key(&format!("releases/archive/2026/{closed}.toml")),
        "{digests:?}"
    );
    assert!(
        digests.contains_key("releases/archive/2026/incidents/INC-1.toml"),
        "{digests:?}"
    );
    assert!(
        doc["health"][0]["log_sha256"].is_string(),
        "{:#}",
        doc["health"]
    );

    let log = env.rel(&["log", &closed]);
    log.ok();
    assert!(log.stdout.contains("close"), "{}", log.stdout);

    let inc = env.rel(&["--json", "incident", "show", "INC-1"]);
    inc.ok();
    assert_eq!(inc.json()["status"], "closed");

    // rel list: in progress by default; the archive with --state.
    assert_eq!(ids(&env, &["list"]), [open.as_str()]);
    assert_eq!(
        ids(&env, &["list", "--state", "released"]),
        [closed.as_str()]
    );
    assert_eq!(
        ids(&env, &["list", "--state", "cancelled"]),
        [cancelled.as_str()]
    );
    let mut all = ids(&env, &["list", "--state", "all"]);
    all.sort();
    assert_eq!(all, [closed.clone(), cancelled.clone(), open.clone()]);
    let table = env.rel(&["list", "--state", "all"]);
    table.ok();
    assert!(table.stdout.contains(&closed), "{}", table.stdout);

    // The register without --all: INC-2 (freed), not the shipped INC-1.
    assert_eq!(ids(&env, &["incident", "list"]), ["INC-2"]);
    let mut all = ids(&env, &["incident", "list", "--all"]);
    all.sort();
    assert_eq!(all, ["INC-1", "INC-2"]);
    let table = env.rel(&["incident", "list", "--all"]);
    table.ok();
    assert!(table.stdout.contains("INC-1"), "{}", table.stdout);

    // An unknown id is still exit 2.
    env.rel(&["show", "R-1999-001"]).code(2);
}

#[test]
fn rels_own_closes_and_cancels_audit_clean() {
    let env = Env::with_pipeline(PIPELINE);
    past_and_present(&env);
    let (code, v) = audit(&env, &[]);
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, 0);
}

#[test]
fn a_close_filed_under_the_wrong_year_is_altered() {
    let env = Env::with_pipeline(PIPELINE);
    let id = in_live(&env);
    one_commit(&env, &["close", &id]);
    // The same commit, its files under 2025.
    let message = env.last_message();
    let at = env.git(&["log", "-1", "--format=%aI"]);
    env.git(&["reset", "-q", "--soft", "HEAD~1"]);
    env.git(&["mv", "releases/archive/2026", "releases/archive/2025"]);
    commit_dated(&env, &message, at.trim());
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    let found = findings(&v);
    assert!(
        found
            .iter()
            .any(|(kind, release)| kind == "altered" && *release == id),
        "{v:#}"
    );
    assert!(
        v.to_string().contains("releases/archive/2026"),
        "names the right place: {v:#}"
    );
}

#[test]
fn a_garbage_archive_changes_no_answer_about_work_in_progress() {
    let env = Env::with_pipeline(PIPELINE);
    let (closed, _, open) = past_and_present(&env);
    let asks: Vec<Vec<&str>> = vec![
        vec!["--json", "status"],
        vec!["--json", "check", &open],
        vec!["--json", "plan", &open],
        vec!["--json", "list"],
        vec!["--json", "incident", "list"],
        vec!["--json", "due"],
    ];
    let before: Vec<(i32, String)> = asks
        .iter()
        .map(|a| {
            let r = env.rel(a);
            (r.code, r.stdout.clone())
        })
        .collect();
    // Every archived file replaced by garbage, and garbage files added.
    env.write(
        &format!("releases/archive/2026/{closed}.toml"),
        "not = [toml",
    );
    env.write("releases/archive/2026/incidents/INC-1.toml", "\u{0}\u{1}");
    env.write("releases/archive/2026/R 9.toml", "]]");
    env.write("releases/archive/index.toml", "garbage");
    env.write("releases/archive/index/1.toml", "garbage");
    env.write("releases/archive/1999/x/y/z.toml", "garbage");
    env.commit_all("garbage in the archive");
    let after: Vec<(i32, String)> = asks
        .iter()
        .map(|a| {
            let r = env.rel(a);
            (r.code, r.stdout.clone())
        })
        .collect();
    assert_eq!(before, after);
    // Writes work as before.
    one_commit(&env, &["promote", &open]);
}

#[test]
fn an_archived_id_stays_taken() {
    let env = Env::with_pipeline(PIPELINE);
    let (closed, cancelled, open) = past_and_present(&env);
    assert_eq!(
        (closed.as_str(), cancelled.as_str(), open.as_str()),
        ("R-2026-001", "R-2026-002", "R-2026-003")
    );
    // The highest numbers are archived: the next number skips them.
    one_commit(&env, &["cancel", &open, "--reason", "no"]);
    assert_eq!(new_release(&env, "1.5.0"), "R-2026-004");
    env.assert_unchanged(|| {
        env.rel(&[
            "new",
            "--version",
            "1.6.0",
            "--title",
            "x",
            "--id",
            &closed.to_lowercase(),
        ])
        .code(2);
    });
}

/// The close commit rewritten as the previous version made it: the
/// release, its incidents and reports left in place, no index.
fn closed_the_old_way(env: &Env) -> String {
    let id = in_live(env);
    one_commit(env, &["close", &id]);
    let message = env.last_message();
    let at = env.git(&["log", "-1", "--format=%aI"]);
    env.git(&["reset", "-q", "--soft", "HEAD~1"]);
    env.git(&[
        "mv",
        &format!("releases/archive/2026/{id}.toml"),
        "releases/",
    ]);
    env.git(&[
        "mv",
        "releases/archive/2026/incidents/INC-1.toml",
        "releases/incidents/",
    ]);
    std::fs::create_dir_all(env.path("releases/reports")).expect("reports folder");
    env.git(&[
        "mv",
        &format!("releases/archive/2026/reports/{id}"),
        &format!("releases/reports/{id}"),
    ]);
    env.git(&["rm", "-q", "-r", "-f", "releases/archive/index"]);
    commit_dated(env, &message, at.trim());
    assert_eq!(env.git(&["ls-files", "releases/archive"]), "");
    id
}

#[test]
fn rel_archive_moves_what_the_previous_version_left_in_one_commit_the_audit_accepts() {
    let env = Env::with_pipeline(PIPELINE);
    let id = closed_the_old_way(&env);
    // Read correctly where it lies, with a note.
    let shown = env.rel(&["--json", "show", &id]);
    shown.ok();
    assert_eq!(shown.json()["state"], "released");
    let status = env.rel(&["status"]);
    status.ok();
    assert_eq!(
        status
            .stderr
            .matches("1 finished release(s) lie in releases/ outside the archive")
            .count(),
        1,
        "{}",
        status.stderr
    );
    assert!(status.stderr.contains("rel archive"), "{}", status.stderr);
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 0, "the old close is rel's own: {v:#}");

    let run = one_commit(&env, &["archive"]);
    assert!(
        run.stdout.contains("1 finished release(s)"),
        "{}",
        run.stdout
    );
    assert!(env.last_message().contains("Rel-Action: archive"));
    let renames = renames(&env);
    assert_eq!(renames.len(), 3, "{renames:?}");
    assert!(
        renames.iter().all(|r| r.contains("(100%)")),
        "byte for byte: {renames:?}"
    );
    assert_eq!(
        changed_files(&env),
        [
            format!("A releases/archive/2026/{id}.toml"),
            "A releases/archive/2026/incidents/INC-1.toml".to_string(),
            format!("A releases/archive/2026/reports/{id}/dev-1.log"),
            "A releases/archive/index/1.toml".to_string(),
            format!("D releases/{id}.toml"),
            "D releases/incidents/INC-1.toml".to_string(),
            format!("D releases/reports/{id}/dev-1.log"),
        ]
    );
    assert_eq!(env.porcelain(), "");
    let status = env.rel(&["status"]);
    assert!(!status.stderr.contains("rel archive"), "{}", status.stderr);
    let (code, v) = audit(&env, &[]);
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, 0);

    // Nothing more to move: no commit.
    let before = env.commit_count();
    env.rel(&["archive"]).ok();
    assert_eq!(env.commit_count(), before);

    // Update paths still know the released version, through the index.
    let next = new_release(&env, "1.5.0");
    let shown = env.rel(&["--json", "show", &next]);
    assert_eq!(shown.json()["from_version"], "1.4.1", "{}", shown.stdout);
    let (code, v) = audit(&env, &[]);
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, 0);
}

#[test]
fn an_archive_commit_that_edits_what_it_moves_is_altered() {
    let env = Env::with_pipeline(PIPELINE);
    let id = closed_the_old_way(&env);
    one_commit(&env, &["archive"]);
    let message = env.last_message();
    let at = env.git(&["log", "-1", "--format=%aI"]);
    env.git(&["reset", "-q", "--soft", "HEAD~1"]);
    let path = format!("releases/archive/2026/{id}.toml");
    let text = env
        .read(&path)
        .replace("title = \"A release\"", "title = \"Another\"");
    env.write(&path, &text);
    commit_dated(&env, &message, at.trim());
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    assert!(
        findings(&v).iter().any(|(k, r)| k == "altered" && *r == id),
        "{v:#}"
    );
}

#[test]
fn the_index_is_checked_against_the_archive() {
    let env = Env::with_pipeline(PIPELINE);
    let id = in_live(&env);
    one_commit(&env, &["close", &id]);
    assert_eq!(
        env.read("releases/archive/index/1.toml"),
        format!("[[released]]\nid = \"{id}\"\nversion = \"1.4.1\"\nbreaking = false\n")
    );
    let (code, _) = audit(&env, &[]);
    assert_eq!(code, 0);
    // Saying by hand that it shipped a breaking change: the audit says
    // the index disagrees with the archive.
    let text = env
        .read("releases/archive/index/1.toml")
        .replace("breaking = false", "breaking = true");
    env.write("releases/archive/index/1.toml", &text);
    commit_dated(&env, "index by hand", "2026-11-20T16:00:00Z");
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    assert!(
        v.to_string()
            .contains("releases/archive/index/1.toml disagrees with the archive about R-2026-001"),
        "{v:#}"
    );
    assert!(
        findings(&v).iter().any(|(k, _)| k == "inconsistent"),
        "{v:#}"
    );
}

/// `rel archive` of hundreds of files (past the point where git is asked
/// folder by folder and the work tree is moved in one pass) moves them all
/// and leaves a user's own staged and unstaged work as it was.
#[test]
fn rel_archive_of_hundreds_of_files_keeps_the_users_own_work() {
    let env = Env::with_pipeline(PIPELINE);
    let id = closed_the_old_way(&env);
    let manifest = std::fs::read_to_string(env.path(&format!("releases/{id}.toml")))
        .expect("the old close's manifest");
    // 300 more finished releases as the previous version left them.
    for n in 2..=301 {
        let other = format!("R-2026-{n:04}");
        std::fs::write(
            env.path(&format!("releases/{other}.toml")),
            manifest.replace(&id, &other),
        )
        .expect("a manifest");
    }
    std::fs::write(env.path("notes.txt"), "mine\n").expect("a file of the team's");
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "Imported finished releases"]);
    // The user's own work in progress, outside rel's files.
    std::fs::write(env.path("notes.txt"), "mine, edited\n").expect("an edit");
    std::fs::write(env.path("staged.txt"), "staged\n").expect("a new file");
    env.git(&["add", "staged.txt"]);

    let run = one_commit(&env, &["archive"]);
    assert!(
        run.stdout.contains("301 finished release(s)"),
        "{}",
        run.stdout
    );
    assert_eq!(env.porcelain(), " M notes.txt\nA  staged.txt\n");
    assert_eq!(
        env.git(&["diff", "--cached", "--name-only"]),
        "staged.txt\n"
    );
    for n in 2..=301 {
        let other = format!("R-2026-{n:04}");
        assert!(!env.path(&format!("releases/{other}.toml")).exists());
        assert!(env
            .path(&format!("releases/archive/2026/{other}.toml"))
            .is_file());
    }
    assert_eq!(
        std::fs::read_to_string(env.path("notes.txt")).expect("the edit"),
        "mine, edited\n"
    );
}
