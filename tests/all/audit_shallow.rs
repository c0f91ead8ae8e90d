//! `rel audit` in a shallow clone (contract 11.5): only commits whose
//! parent is present are judged, the graft is never called a hand edit,
//! and the audit says how many commits it could not judge and how to fetch
//! them; `--since` beyond the graft is exit 2 saying the same.

use crate::audit::{audit, commit_dated, findings, frozen_in_dev, GATED};
use crate::common::Env;

/// A clone of `origin` with `--depth depth`.
fn shallow_clone(origin: &Env, depth: &str) -> Env {
    let env = Env::empty();
    std::fs::remove_dir(&env.dir).expect("empty repo folder");
    let url = format!("file://{}", origin.dir.display());
    let out = env
        .program("git")
        .current_dir(env.tmp.path())
        .args(["clone", "-q", "--depth", depth, &url, "repo"])
        .output()
        .expect("git clone");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        env.git(&["rev-parse", "--is-shallow-repository"]).trim(),
        "true"
    );
    env
}

/// The origin's commit ids, newest first.
fn ids(env: &Env) -> Vec<String> {
    env.git(&["log", "--format=%H"])
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn a_shallow_clone_judges_only_commits_whose_parent_is_there() {
    let origin = Env::with_pipeline(GATED);
    frozen_in_dev(&origin);
    let all = ids(&origin);
    let clone = shallow_clone(&origin, "3");
    let run = clone.rel(&["--json", "audit"]);
    run.ok();
    let v = run.json();
    // The tip and its parent are judged; the graft (third) is not.
    assert_eq!(v["commits"], 2, "{v:#}");
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(v["unjudged"], serde_json::json!([all[2]]), "{v:#}");
    assert!(
        run.stderr
            .contains(&format!("1 commit ({}) could not be judged", &all[2][..10])),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("git fetch --unshallow"),
        "{}",
        run.stderr
    );

    // The text says the same, and no finding.
    let text = clone.rel(&["audit"]);
    text.ok();
    assert!(
        text.stdout.contains("2 commits audited: 0 findings"),
        "{}",
        text.stdout
    );
    assert!(
        text.stderr.contains("git fetch --unshallow"),
        "{}",
        text.stderr
    );

    // Fetched whole, everything is judged and nothing is said.
    clone.git(&["fetch", "-q", "--unshallow"]);
    let run = clone.rel(&["--json", "audit"]);
    run.ok();
    assert_eq!(run.json()["unjudged"], serde_json::Value::Null);
    assert!(!run.stderr.contains("unshallow"), "{}", run.stderr);
    assert_eq!(run.json()["commits"], audit(&origin, &[]).1["commits"]);
}

#[test]
fn depth_one_judges_nothing_and_calls_nothing_a_hand_edit() {
    let origin = Env::with_pipeline(GATED);
    frozen_in_dev(&origin);
    let clone = shallow_clone(&origin, "1");
    let run = clone.rel(&["--json", "audit"]);
    run.ok();
    let v = run.json();
    assert_eq!(v["commits"], 0, "{v:#}");
    assert_eq!(v["findings"], serde_json::json!([]), "{v:#}");
    assert_eq!(v["unjudged"].as_array().map(Vec::len), Some(1), "{v:#}");
}

#[test]
fn a_hand_edit_after_the_graft_is_still_found() {
    let origin = Env::with_pipeline(GATED);
    let id = frozen_in_dev(&origin);
    let path = format!("releases/{id}.toml");
    let text = origin
        .read(&path)
        .replacen("state = \"frozen\"", "state = \"released\"", 1);
    origin.write(&path, &text);
    commit_dated(&origin, "fix state", "2026-11-20T16:00:00Z");
    let clone = shallow_clone(&origin, "2");
    let (code, v) = audit(&clone, &[]);
    assert_eq!(code, 1);
    assert!(
        findings(&v).contains(&("hand-edit".to_string(), id)),
        "{v:#}"
    );
    assert_eq!(v["commits"], 1, "{v:#}");
}

#[test]
fn since_beyond_the_graft_is_invalid_and_says_how_to_fetch() {
    let origin = Env::with_pipeline(GATED);
    frozen_in_dev(&origin);
    let all = ids(&origin);
    let clone = shallow_clone(&origin, "3");
    for beyond in [&all[5], &all[3]] {
        let run = clone.rel(&["audit", "--since", beyond]);
        run.code(2);
        assert!(
            run.stderr.contains(&format!("--since {beyond}")),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("shallow clone"), "{}", run.stderr);
        assert!(
            run.stderr.contains("git fetch --unshallow"),
            "{}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
    // From the tip's parent: one commit judged, nothing unjudged.
    let run = clone.rel(&["--json", "audit", "--since", &all[1]]);
    run.ok();
    assert_eq!(run.json()["commits"], 2, "{}", run.stdout);
    assert_eq!(run.json()["unjudged"], serde_json::Value::Null);
}
