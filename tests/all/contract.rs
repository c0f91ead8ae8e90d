//! A conformance audit of the contract (sections 1-5), one test per
//! deviation found: each failed before its fix.

use serde_json::Value;

use crate::common::releases::{check, codes};
use crate::common::Env;

/// The contract's soak example as a pipeline: UTC, Monday 2026-11-23 a
/// holiday, a minor soak of 3 in uat, staging only for frozen releases.
const SOAK_EXAMPLE: &str = r#"
[calendar]
timezone = "UTC"
holidays = [2026-11-23]

[[environments]]
name = "development"

[[environments]]
name = "uat"
soak = { major = 10, minor = 3, patch = 0 }

[[environments]]
name = "staging"
requires_frozen = true

[[environments]]
name = "production"
"#;

// ---- section 5: `ready_at` ----

/// The JSON of section 5, value for value: entered uat Friday 15:00, checked
/// Wednesday 15:00 with Monday a holiday, not frozen. `frozen` needs someone
/// to act, so `ready_at` is null; `earliest` is when the time rules pass
/// (Thursday 15:00), and the soak violation carries its own `ready_at`
/// (rev 2; revision 1's reading set `ready_at` here).
#[test]
fn check_json_ready_at_is_the_contract_example() {
    let env = Env::with_pipeline(SOAK_EXAMPLE);
    let run = env.rel(&[
        "new",
        "--version",
        "1.4.0",
        "--title",
        "Billing",
        "--id",
        "R-2026-001",
    ]);
    run.ok();
    env.rel(&["promote", "R-2026-001"]).ok();
    let (code, v) = check(&env, &["R-2026-001", "--at", "2026-11-25T15:00:00Z"]);
    assert_eq!(code, 1);
    assert_eq!(v["from"], "uat");
    assert_eq!(v["to"], "staging");
    assert_eq!(v["at"], "2026-11-25T15:00:00Z");
    assert_eq!(v["ready"], false);
    assert_eq!(codes(&v), ["soak", "frozen"]);
    assert_eq!(v["violations"][0]["ready_at"], "2026-11-26T15:00:00Z");
    assert!(v["violations"][1].get("ready_at").is_none());
    assert_eq!(v["ready_at"], Value::Null, "{v}");
    assert_eq!(v["earliest"], "2026-11-26T15:00:00Z", "{v}");

    // Once the soak is over, the time rules pass now: earliest is `at`.
    let (_, v) = check(&env, &["R-2026-001", "--at", "2026-11-27T09:00:00Z"]);
    assert_eq!(codes(&v), ["frozen"]);
    assert_eq!(v["earliest"], "2026-11-27T09:00:00Z");
    assert_eq!(v["ready_at"], Value::Null);

    // `rel status --json` gives the same instants.
    let status = env.rel_env(
        &["--json", "status"],
        &[("REL_NOW", "2026-11-25T15:00:00Z")],
    );
    status.ok();
    assert_eq!(status.json()[0]["ready_at"], Value::Null);
    assert_eq!(status.json()[0]["earliest"], "2026-11-26T15:00:00Z");

    // The text for people says what must be done, and the earliest.
    let text = env.rel(&["check", "R-2026-001", "--at", "2026-11-25T15:00:00Z"]);
    assert!(
        text.stdout.contains("to be done first: frozen")
            && text
                .stdout
                .contains("earliest: Thu 2026-11-26 15:00 UTC (the time rules pass then)")
            && !text.stdout.contains("ready at"),
        "{}",
        text.stdout
    );
}

/// When only time blocks, `ready_at` is when it passes and equals
/// `earliest`; once frozen, the same release waits only for its soak.
#[test]
fn check_json_ready_at_is_set_when_nobody_needs_to_act() {
    let env = Env::with_pipeline(SOAK_EXAMPLE);
    let id = "R-2026-001";
    env.rel(&["new", "--version", "1.4.0", "--title", "B", "--id", id])
        .ok();
    env.rel(&["promote", id]).ok();
    // Let the soak alone block: staging is entered by frozen releases only,
    // so check against a pipeline without that rule.
    env.write(
        "environments.toml",
        &SOAK_EXAMPLE.replace("requires_frozen = true", ""),
    );
    env.commit_all("staging takes open releases");
    let (code, v) = check(&env, &[id, "--at", "2026-11-25T15:00:00Z"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["soak"]);
    assert_eq!(v["ready_at"], "2026-11-26T15:00:00Z");
    assert_eq!(v["earliest"], "2026-11-26T15:00:00Z");
    let text = env.rel(&["check", id, "--at", "2026-11-25T15:00:00Z"]);
    assert!(
        text.stdout.contains("ready at Thu 2026-11-26 15:00"),
        "{}",
        text.stdout
    );
}

/// `null` when the move itself is not possible: the release must first
/// pass through the environment in between (`order`), or is not in progress
/// (`state`); no instant makes those moves possible.
#[test]
fn check_json_ready_at_is_null_when_the_move_itself_is_not_possible() {
    let env = Env::with_pipeline(SOAK_EXAMPLE);
    let id = "R-2026-001";
    env.rel(&["new", "--version", "1.4.0", "--title", "B", "--id", id])
        .ok();
    let (code, v) = check(&env, &[id, "--to", "staging"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["order", "frozen"]);
    assert_eq!(v["ready_at"], Value::Null);
    assert_eq!(v["earliest"], Value::Null);

    env.rel(&["cancel", id, "--reason", "not needed"]).ok();
    let (_, v) = check(&env, &[id]);
    assert_eq!(codes(&v), ["state"]);
    assert_eq!(v["ready_at"], Value::Null);
    assert_eq!(v["earliest"], Value::Null);
}

// ---- section 1 and 2: environments.toml ----

/// Writes `toml` as environments.toml (uncommitted) and asserts that a
/// command exits 2 naming the file, a line and a column, writing nothing.
fn rejected_pipeline(toml: &str) -> String {
    let env = Env::new();
    env.write("environments.toml", toml);
    env.commit_all("broken pipeline");
    let mut stderr = String::new();
    env.assert_unchanged(|| {
        let run = env.rel(&["new", "--version", "1.0.0", "--title", "T"]);
        run.code(2);
        stderr = run.stderr.clone();
    });
    assert!(
        stderr.starts_with("error: environments.toml:") && stderr.contains(": "),
        "{stderr}"
    );
    let location: Vec<&str> = stderr["error: environments.toml:".len()..]
        .splitn(3, ':')
        .collect();
    assert!(
        location.len() == 3
            && location[0].parse::<u32>().is_ok()
            && location[1].parse::<u32>().is_ok(),
        "no line and column: {stderr}"
    );
    stderr
}

/// Roles are ids, unique ignoring case like releases, incidents and
/// environments: `client` and `Client` are one role listed twice.
#[test]
fn roles_differing_only_in_case_are_rejected() {
    let stderr = rejected_pipeline(
        "[roles]\nclient = [\"ana@client.example\"]\nClient = [\"bob@client.example\"]\n\n\
         [[environments]]\nname = \"dev\"\n\n[[environments]]\nname = \"live\"\n\
         approvals = [\"client\"]\n",
    );
    assert!(
        stderr.contains("Client") && stderr.contains("client"),
        "{stderr}"
    );
}

/// An unknown key in a checklist item is an unknown key like any other:
/// the message names it and says which keys are expected.
#[test]
fn checklist_item_with_an_unknown_key_says_what_was_expected() {
    let stderr = rejected_pipeline(
        "[[environments]]\nname = \"dev\"\n\n[[environments]]\nname = \"live\"\n\
         entry_checklist = [{ item = \"Smoke test\", kind = [\"major\"] }]\n",
    );
    assert!(
        stderr.starts_with("error: environments.toml:6:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`kind`") && stderr.contains("`kinds`"),
        "{stderr}"
    );
    let stderr = rejected_pipeline("[[environments]]\nname = \"dev\"\nexit_checklist = [42]\n");
    assert!(stderr.contains("a string"), "{stderr}");
}

/// A value of the wrong shape says what was expected in the words of the
/// file, never the name of a type inside rel (`struct RawSoak`).
#[test]
fn a_value_of_the_wrong_shape_says_what_was_expected() {
    for (toml, expected) in [
        (
            "[[environments]]\nname = \"a\"\nsoak = 3\n",
            "{ major = 10, minor = 3, patch = 0 }",
        ),
        (
            "[[environments]]\nname = \"a\"\nblackouts = [\"2026-12-01\"]\n",
            "{ from = 2026-12-18",
        ),
        (
            "calendar = 3\n[[environments]]\nname = \"a\"\n",
            "[calendar] table",
        ),
        ("environments = [3]\n", "[[environments]] table"),
    ] {
        let stderr = rejected_pipeline(toml);
        assert!(stderr.contains(expected), "{toml}: {stderr}");
        assert!(!stderr.contains("struct"), "{toml}: {stderr}");
    }
}

// ---- section 3: `rel env` and the help ----

/// `rel env` shows the pipeline "with its rules": an environment that
/// narrows what `--override` may set aside says so.
#[test]
fn env_shows_which_rules_may_be_overridden() {
    let env = Env::with_pipeline(
        "[[environments]]\nname = \"dev\"\n\n[[environments]]\nname = \"live\"\n\
         overridable = [\"soak\", \"window\"]\n\n[[environments]]\nname = \"none\"\n\
         overridable = []\n",
    );
    let run = env.rel(&["env"]);
    run.ok();
    assert!(
        run.stdout.contains("overridable: soak, window"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("overridable: none"), "{}", run.stdout);
    // The default (every overridable rule) is not spelt out.
    let dev = run.stdout.lines().find(|l| l.contains("dev")).unwrap();
    assert!(!dev.contains("overridable"), "{}", run.stdout);
}

/// Every subcommand, with the help clap prints for it.
fn all_helps(env: &Env) -> Vec<(String, String)> {
    let top = env.rel(&["--help"]);
    top.ok();
    let mut helps = vec![("rel".to_string(), top.stdout.clone())];
    let commands = |text: &str| -> Vec<String> {
        text.lines()
            .skip_while(|l| !l.starts_with("Commands:"))
            .skip(1)
            .take_while(|l| !l.is_empty())
            .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
            .filter_map(|l| l.split_whitespace().next())
            .filter(|c| *c != "help")
            .map(str::to_string)
            .collect()
    };
    for c in commands(&top.stdout) {
        let run = env.rel(&[&c, "--help"]);
        run.ok();
        for sub in commands(&run.stdout) {
            let inner = env.rel(&[&c, &sub, "--help"]);
            inner.ok();
            helps.push((format!("rel {c} {sub}"), inner.stdout));
        }
        helps.push((format!("rel {c}"), run.stdout));
    }
    helps
}

/// `rel --help` and each subcommand's `--help` are usable without the
/// README: every argument and option says what it is.
#[test]
fn every_argument_and_option_has_a_description() {
    let env = Env::new();
    let helps = all_helps(&env);
    assert!(helps.len() > 30, "{}", helps.len());
    let mut bare = Vec::new();
    let indent = |l: &str| l.len() - l.trim_start().len();
    for (name, text) in &helps {
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim();
            // `  <RELEASE>` or `      --to <ENV>`: an argument's line, its
            // description after it or, in long help, on the next line.
            let is_arg = indent(line) <= 6 && (t.starts_with(['<', '[', '-']));
            let described = t.contains("  ")
                || lines
                    .get(i + 1)
                    .is_some_and(|next| !next.trim().is_empty() && indent(next) > indent(line));
            if is_arg && !described {
                bare.push(format!("{name}: {t}"));
            }
        }
    }
    assert!(
        bare.is_empty(),
        "without a description:\n{}",
        bare.join("\n")
    );
}
