//! `rel audit` on a lawful history made by rel (soak by kind, an exclusive
//! staging, approvals by role, checklists, a window) finds nothing; four
//! tampering commits injected on top of it (what bench/audit.sh injects
//! into its 10,000-commit history) are found, each exactly once, on its
//! own commit, and nothing else is.

use crate::audit::audit;
use crate::common::git::one_commit;
use crate::common::Env;

/// The benchmark's pipeline (bench/audit_lives.sh).
const PIPELINE: &str = r#"
[calendar]
timezone = "UTC"
workdays = ["mon", "tue", "wed", "thu", "fri"]

[roles]
client = ["carla@client.example"]
release-manager = ["rita@vendor.example"]

[[environments]]
name = "development"

[[environments]]
name = "uat"
soak = { major = 10, minor = 3, patch = 0 }
entry_checklist = [
  { item = "UAT data refreshed from production", kinds = ["major"] },
]

[[environments]]
name = "staging"
soak = { major = 5, minor = 2, patch = 0 }
requires_frozen = true
exclusive = true

[[environments]]
name = "production"
requires_frozen = true
requires_health = true
confirm = true
approvals = ["client", "release-manager"]
distinct_approvers = true
windows = ["mon-fri 08:00-18:00"]
entry_checklist = [
  "Database structures compared with production",
  "Access permissions reviewed",
]
exit_checklist = ["Post-release tests passed on production"]
"#;

const DEV: &str = "Dan Dev <dan@vendor.example>";
const CLIENT: &str = "Carla Client <carla@client.example>";

/// One rel commit at `now` (2026-11-DD...) as `actor`; its stdout.
fn rel_at(env: &mut Env, now: &str, actor: &str, args: &[&str]) -> String {
    env.now = now.to_string();
    env.actor = Some(actor.to_string());
    one_commit(env, args).stdout.trim().to_string()
}

/// Commits the work tree by hand: author, dates, message; or amends HEAD.
fn hand_commit(env: &Env, author: &str, at: &str, message: Option<&str>) -> String {
    env.git(&["add", "-A"]);
    let mut git = env.program("git");
    git.args(["commit", "-q", "--author", author, "--date", at])
        .env("GIT_COMMITTER_DATE", at);
    match message {
        Some(m) => git.args(["-m", m]),
        None => git.args(["--amend", "--no-edit"]),
    };
    let out = git.output().expect("git commit");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.head().trim().to_string()
}

/// Replaces `from` (which must be there) by `to` in the file `path`.
fn edit(env: &Env, path: &str, from: &str, to: &str) {
    let text = env.read(path);
    assert!(text.contains(from), "{from:?} not in {path}:\n{text}");
    env.write(path, &text.replace(from, to));
}

/// Monday 23 November: A frozen in uat, B (minor) in uat and scheduled
/// into staging for Thursday, D in development; Thursday: B into staging,
/// its 3-day soak passed, by `rel due --apply`.
fn lawful(env: &mut Env) -> (String, String, String) {
    let mut minute = 0;
    let mut mon = |env: &mut Env, actor: &str, args: &[&str]| {
        minute += 1;
        rel_at(env, &format!("2026-11-23T09:{minute:02}:00Z"), actor, args)
    };
    for inc in ["INC-1", "INC-2"] {
        mon(env, DEV, &["incident", "new", inc, "--title", "Change"]);
        mon(env, DEV, &["incident", "resolve", inc]);
        mon(env, CLIENT, &["incident", "authorise", inc]);
        mon(env, DEV, &["incident", "test", inc, "--evidence", "t.pdf"]);
    }
    let a = mon(env, DEV, &["new", "--version", "1.0.1", "--title", "A"]);
    mon(env, DEV, &["group", &a, "INC-1"]);
    mon(env, DEV, &["promote", &a]);
    mon(env, DEV, &["freeze", &a]);
    let b = mon(env, DEV, &["new", "--version", "1.1.0", "--title", "B"]);
    mon(env, DEV, &["group", &b, "INC-2"]);
    mon(env, DEV, &["freeze", &b]);
    mon(env, DEV, &["promote", &b]);
    let at = "2026-11-26T14:00:00Z";
    mon(env, DEV, &["schedule", &b, "--at", at]);
    let d = mon(env, DEV, &["new", "--version", "1.2.0", "--title", "D"]);
    // `rel due --apply` carries the schedule out (Rel-Schedule trailer).
    rel_at(env, at, DEV, &["due", "--apply"]);
    (a, b, d)
}

#[test]
fn the_injected_tampering_is_found_exactly_and_nothing_else() {
    let mut env = Env::with_pipeline(PIPELINE);
    let (a, b, d) = lawful(&mut env);
    let (code, v) = audit(&env, &[]);
    assert_eq!(v["findings"], serde_json::json!([]), "{v:#}");
    assert_eq!(code, 0);
    let lawful_commits = v["commits"].as_u64().expect("commits");

    // 1. A's state edited by hand.
    let path_a = format!("releases/{a}.toml");
    edit(&env, &path_a, "state = \"frozen\"", "state = \"open\"");
    let hand = hand_commit(&env, DEV, "2026-11-27T08:00:00Z", Some("Reopen A"));

    // 2. Carla's approval of B, rewritten as Bo's, who is not a client.
    rel_at(
        &mut env,
        "2026-11-27T09:00:00Z",
        CLIENT,
        &["approve", &b, "--env", "production", "--role", "client"],
    );
    let path_b = format!("releases/{b}.toml");
    edit(&env, &path_b, CLIENT, "Bo Jones <bo@vendor.example>");
    let approval = hand_commit(
        &env,
        "Bo Jones <bo@vendor.example>",
        "2026-11-27T09:00:00Z",
        None,
    );

    // 3. B moved to production by hand with rel's trailers and event, a
    //    day into its 2-day staging soak.
    edit(
        &env,
        &path_b,
        "environment = \"staging\"",
        "environment = \"production\"",
    );
    let text = env.read(&path_b);
    env.write(
        &path_b,
        &format!(
            "{text}\n[[history]]\nat = \"2026-11-27T10:00:00Z\"\nby = \"{DEV}\"\n\
             action = \"promote\"\nenv = \"production\"\nfrom = \"staging\"\n"
        ),
    );
    let forged = hand_commit(
        &env,
        DEV,
        "2026-11-27T10:00:00Z",
        Some(&format!(
            "rel: promote {b} to production\n\nRel-Action: promote\nRel-Release: {b}\n\
             Rel-Env: production\n"
        )),
    );

    // 4. A hold of D made on Friday, set back (commit and record) to the
    //    Sunday before D was created.
    rel_at(
        &mut env,
        "2026-11-27T11:00:00Z",
        DEV,
        &["hold", &d, "--reason", "Waiting"],
    );
    let path_d = format!("releases/{d}.toml");
    edit(
        &env,
        &path_d,
        "2026-11-27T11:00:00Z",
        "2026-11-22T11:00:00Z",
    );
    let backwards = hand_commit(&env, DEV, "2026-11-22T11:00:00Z", None);

    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    let found: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["finding"].as_str().unwrap_or("").to_string(),
                f["commit"].as_str().unwrap_or("").to_string(),
                f["release"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let expected = [
        ("hand-edit", hand, a),
        ("refused", approval, b.clone()),
        ("refused", forged, b),
        ("time", backwards, d),
    ]
    .map(|(k, c, r)| (k.to_string(), c, r));
    assert_eq!(found, expected, "{v:#}");
    assert_eq!(v["commits"].as_u64(), Some(lawful_commits + 4), "{v:#}");
    let messages: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap_or(""))
        .collect();
    assert!(messages[0].contains("state frozen -> open"), "{v:#}");
    assert!(
        messages[1].contains("not a member of role `client`"),
        "{v:#}"
    );
    assert!(messages[2].contains("soak"), "{v:#}");
    assert!(messages[3].contains("never runs backwards"), "{v:#}");
}
