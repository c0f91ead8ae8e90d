//! The audit never reports rel's own commits, whatever text a person
//! types (contract 11.5): random titles, reasons, notes, evidence and
//! items (new lines, tabs, CR, control characters, any Unicode, spaces at
//! the ends, `:` and lines that look like `Rel-*` trailers) through every
//! writing command that takes free text, then `rel audit`: no finding.
//! A command may refuse a text (exit 2, nothing written); one it takes is
//! recorded so that the manifest and the commit's trailers say the same.

use proptest::prelude::*;

use crate::common::{Env, Run};

/// One repository per case, about thirty commands each: ~2 s a case.
const CASES: u32 = 16;

const PIPELINE: &str = r#"
[roles]
release-manager = ["ana@example.com"]

[[environments]]
name = "dev"

[[environments]]
name = "test"
soak = { major = 5, minor = 3, patch = 0 }
overridable = ["soak", "checklist"]

[[environments]]
name = "live"
entry_checklist = ["Database compared"]
"#;

/// The pieces typed text is made of: what broke rel's own commits before
/// (line breaks, tabs, CR, escapes, spaces git trims, trailer look-alikes,
/// quotes and backslashes of the trailer's quoting), and any character.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<char>()
            .prop_filter("argv holds no NUL", |c| *c != '\0')
            .prop_map(String::from),
        1 => Just("\n".to_string()),
        1 => Just("\t".to_string()),
        1 => Just("\r".to_string()),
        1 => Just("\r\n".to_string()),
        1 => Just("  ".to_string()),
        1 => Just("\u{1b}]0;T\u{7}\u{1b}[2J".to_string()),
        1 => Just("\u{7f}\u{85}\u{9b}\u{a0}\u{2028}\u{3000}".to_string()),
        1 => Just(": ".to_string()),
        1 => Just("\n\nRel-Action: close\nRel-Release: R-9".to_string()),
        1 => Just("\n---\n".to_string()),
        1 => Just("\"".to_string()),
        1 => Just("\\".to_string()),
        1 => Just("\\n\\u{1b}".to_string()),
        1 => Just("# `x` *y* <b>".to_string()),
    ]
}

/// Text a person could type: never blank (blank text is refused, tested
/// elsewhere), anything around a word.
fn typed() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(piece(), 0..5),
        "[a-zA-Z0-9]{1,3}",
        prop::collection::vec(piece(), 0..5),
    )
        .prop_map(|(before, word, after)| format!("{}{word}{}", before.concat(), after.concat()))
}

/// Whether a command may refuse the text it was given.
#[derive(Clone, Copy, PartialEq)]
enum May {
    /// Takes any text: exit 0 and one commit.
    Take,
    /// May refuse (exit 1 or 2) with nothing written.
    Refuse,
}

/// Runs `args`: one commit when it succeeds, the repository unchanged when
/// it refuses. `Err` says what went wrong, for proptest to shrink.
fn step(env: &Env, may: May, args: &[&str]) -> Result<Run, TestCaseError> {
    let (head, count) = (env.head(), env.commit_count());
    let run = env.rel(args);
    let what = || {
        format!(
            "rel {args:?}: exit {}\n{}\n{}",
            run.code, run.stdout, run.stderr
        )
    };
    match run.code {
        0 => prop_assert_eq!(env.commit_count(), count + 1, "one commit: {}", what()),
        1 | 2 if may == May::Refuse => {
            prop_assert_eq!(env.head(), head, "a refusal commits nothing: {}", what());
            prop_assert_eq!(env.porcelain(), "", "a refusal writes nothing: {}", what());
        }
        _ => return Err(TestCaseError::fail(what())),
    }
    Ok(run)
}

/// Every writing command that takes free text, each with its own text,
/// through a release's whole life; then the audit.
fn drive(texts: &[String; 16]) -> Result<(), TestCaseError> {
    let env = Env::with_pipeline(PIPELINE);
    let t = |i: usize| texts[i].as_str();
    let opt = |flag: &str, i: usize| format!("--{flag}={}", t(i));
    use May::{Refuse, Take};

    let new = step(&env, Take, &["new", "--version", "1.0.0", &opt("title", 0)])?;
    let id = new.stdout.trim().to_string();
    let id = id.as_str();
    step(
        &env,
        Take,
        &[
            "incident",
            "new",
            "INC-1",
            &opt("title", 1),
            &opt("impact", 2),
        ],
    )?;
    step(
        &env,
        Refuse,
        &["incident", "component", "INC-1", &format!("dll:{}", t(3))],
    )?;
    step(&env, Take, &["incident", "resolve", "INC-1"])?;
    step(
        &env,
        Take,
        &["incident", "authorise", "INC-1", &opt("by", 3)],
    )?;
    step(
        &env,
        Take,
        &["incident", "test", "INC-1", &opt("evidence", 4)],
    )?;
    step(&env, Take, &["group", id, "INC-1"])?;
    step(&env, Take, &["hold", id, &opt("reason", 5)])?;
    step(&env, Take, &["resume", id, &opt("reason", 6)])?;
    let at = "--at=2026-11-23T10:00:00Z";
    step(&env, Take, &["schedule", id, at, &opt("note", 7)])?;
    let later = "--at=2026-11-24T10:00:00Z";
    step(&env, Take, &["reschedule", id, later, &opt("reason", 8)])?;
    step(&env, Take, &["unschedule", id, &opt("reason", 9)])?;
    step(&env, Take, &["freeze", id])?;
    step(&env, Take, &["unfreeze", id, &opt("reason", 10)])?;
    step(&env, Take, &["freeze", id])?;
    step(&env, Take, &["promote", id])?;
    let add = ["checklist", "add", id, "--env=live", "--", t(11)];
    let added = step(&env, Refuse, &add)?.code == 0;
    if added {
        let remove = [
            "checklist",
            "remove",
            id,
            "--env=live",
            "2",
            &opt("reason", 12),
        ];
        step(&env, Take, &remove)?;
    }
    step(&env, Take, &["tick", id, "--env=live", "1"])?;
    step(
        &env,
        Take,
        &["untick", id, "--env=live", "1", &opt("reason", 13)],
    )?;
    step(
        &env,
        Take,
        &["verify", id, "--passed=3", "--failed=0", &opt("report", 4)],
    )?;
    let overriding = ["--override=soak", "--override=checklist"];
    step(
        &env,
        Take,
        &[
            "promote",
            id,
            overriding[0],
            overriding[1],
            &opt("reason", 14),
        ],
    )?;
    step(
        &env,
        Take,
        &["path", id, "--set=standard", &opt("reason", 15)],
    )?;
    step(&env, Take, &["rollback", id, "--to=dev", &opt("reason", 0)])?;
    step(&env, Take, &["cancel", id, &opt("reason", 1)])?;
    step(
        &env,
        Take,
        &["installation", "new", "acme", "--version=1.0.0"],
    )?;
    step(
        &env,
        Take,
        &["rollout", "--version=1.1.0", &opt("title", 2)],
    )?;

    // Recorded as typed (but for the ends, which every text is trimmed of).
    let shown = env.rel(&["--json", "show", id]);
    prop_assert_eq!(shown.code, 0, "{}", shown.stderr);
    let manifest = shown.json();
    prop_assert_eq!(manifest["title"].as_str(), Some(t(0).trim()));
    let history = manifest["history"].as_array().cloned().unwrap_or_default();
    let last = history.last().cloned().unwrap_or_default();
    prop_assert_eq!(last["reason"].as_str(), Some(t(1).trim()), "{:#}", last);

    let audit = env.rel(&["--json", "audit"]);
    prop_assert_eq!(
        (audit.code, audit.stdout.contains("\"findings\": []")),
        (0, true),
        "texts {:?}\n{}\n{}",
        texts,
        audit.stdout,
        audit.stderr
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: CASES,
        // Each case is a repository and ~30 runs of rel: shrinking is slow,
        // a few steps are enough to show the text at fault.
        max_shrink_iters: 32,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_audit_finds_nothing_in_rels_own_commits_whatever_the_text(
        texts in prop::array::uniform16(typed())
    ) {
        drive(&texts)?;
    }
}

/// The worst cases, one by one: each is every text of a whole run.
#[test]
fn trailer_lookalikes_line_breaks_and_escapes_are_recorded_exactly() {
    for text in [
        "  a\tb\r\nRel-Action: close\n\n---\n\u{1b}]0;T\u{7}\u{1b}[2J : x  ",
        "line one\nline two",
        "tab\there",
        "bare\rcarriage\rreturns",
        "\"quoted\" \\ back\\slash \\u{1b} \\n",
        "é 漢字 😀 \u{a0}nbsp\u{a0} \u{2028} \u{85}\u{9b}",
        "two  spaces",
        "Rel-Action: close",
    ] {
        let texts: [String; 16] = std::array::from_fn(|_| text.to_string());
        if let Err(e) = drive(&texts) {
            panic!("{text:?}: {e}");
        }
    }
}
