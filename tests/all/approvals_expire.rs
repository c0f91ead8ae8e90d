//! `approvals_valid_for` (contract section 9): an approval counts for that
//! many business days, then no longer (`approval`).

use crate::common::git::one_commit;
use crate::common::releases::{check, codes, new_release};
use crate::common::Env;

const PIPELINE: &str = r#"
[[environments]]
name = "dev"

[[environments]]
name = "live"
approvals = ["client"]
approvals_valid_for = 2
"#;

#[test]
fn an_approval_older_than_its_validity_no_longer_counts() {
    let mut env = Env::with_pipeline(PIPELINE);
    let id = new_release(&env, "1.0.1");
    // Fri 20 Nov 15:00: valid for 2 business days, until Tue 24 15:00.
    one_commit(&env, &["approve", &id, "--env", "live", "--role", "client"]);
    env.now = "2026-11-24T14:59:00Z".into();
    let (code, v) = check(&env, &[&id]);
    assert_eq!(code, 0, "{v}");
    env.now = "2026-11-24T15:00:00Z".into();
    let (code, v) = check(&env, &[&id]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["approval"]);
    let message = v["violations"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("expired"), "{message}");
    // A fresh approval counts again.
    one_commit(&env, &["approve", &id, "--env", "live", "--role", "client"]);
    let (code, _) = check(&env, &[&id]);
    assert_eq!(code, 0);
    let run = env.rel(&["env"]);
    assert!(
        run.stdout.contains("each valid 2 business days"),
        "{}",
        run.stdout
    );
}

#[test]
fn approvals_valid_for_must_be_a_number_of_days() {
    for bad in ["0", "-3", "\"2d\"", "99999"] {
        let env = Env::new();
        env.write(
            "environments.toml",
            &PIPELINE.replace(
                "approvals_valid_for = 2",
                &format!("approvals_valid_for = {bad}"),
            ),
        );
        env.commit_all("bad validity");
        let run = env.rel(&["env"]);
        run.code(2);
        assert!(
            run.stderr.contains("environments.toml:"),
            "{bad}: {}",
            run.stderr
        );
    }
}
