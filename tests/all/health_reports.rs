//! `rel verify` keeps the health check's output (stdout and stderr, the
//! first MiB, with a line saying when it was cut) as
//! `releases/reports/<R>/<env>-<N>.log` in the commit of the report;
//! `rel show` names it, and `rel audit` takes it as rel's.

use crate::audit::{audit, commit_dated, findings};
use crate::common::git::{committed, one_commit};
use crate::common::releases::{manifest, new_release};
use crate::common::Env;

fn pipeline(check: &str) -> String {
    format!(
        "[[environments]]\nname = \"dev\"\nhealth_check = '''{check}'''\n\n\
         [[environments]]\nname = \"live\"\nrequires_health = true\n"
    )
}

#[test]
fn the_output_is_kept_in_the_commit_of_the_report_and_show_names_it() {
    let env = Env::with_pipeline(&pipeline("echo all good; echo a warning >&2; exit 0"));
    let id = new_release(&env, "1.0.0");
    let run = one_commit(&env, &["verify", &id]);
    // Still shown live.
    assert!(run.stdout.contains("all good"), "{}", run.stdout);
    assert!(run.stderr.contains("a warning"), "{}", run.stderr);
    let log = format!("releases/reports/{id}/dev-1.log");
    let mut files = env.last_commit_files();
    files.sort();
    assert_eq!(files, [format!("releases/{id}.toml"), log.clone()]);
    let kept = String::from_utf8(committed(&env, &log)).expect("utf-8");
    assert!(kept.contains("all good\n"), "{kept}");
    assert!(kept.contains("a warning\n"), "{kept}");
    // The work tree has it too, and nothing is left uncommitted.
    assert_eq!(env.read(&log), kept);
    assert_eq!(env.porcelain(), "");

    let v = manifest(&env, &id);
    assert_eq!(v["health"][0]["log"], log.as_str(), "{v}");
    let text = env.rel(&["show", &id]).ok().stdout.clone();
    assert!(text.contains(&format!("output kept in {log}")), "{text}");
}

#[test]
fn reports_are_numbered_per_environment_and_a_failed_check_keeps_its_output() {
    let env = Env::with_pipeline(&pipeline("echo run by $REL_ENV; test -e pass"));
    let id = new_release(&env, "1.0.0");
    let before = env.commit_count();
    env.rel(&["verify", &id]).code(1);
    assert_eq!(env.commit_count(), before + 1);
    // A result from elsewhere is a report too (number 2) without output.
    one_commit(&env, &["verify", &id, "--passed", "3", "--failed", "0"]);
    env.write("pass", "");
    env.commit_all("make it pass");
    one_commit(&env, &["verify", &id]);
    let v = manifest(&env, &id);
    let logs: Vec<_> = v["health"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["log"].clone())
        .collect();
    assert_eq!(
        logs,
        [
            serde_json::json!(format!("releases/reports/{id}/dev-1.log")),
            serde_json::Value::Null,
            serde_json::json!(format!("releases/reports/{id}/dev-3.log")),
        ]
    );
    let first = committed(&env, &format!("releases/reports/{id}/dev-1.log"));
    assert_eq!(first, b"run by dev\n");
    let (code, v) = audit(&env, &[]);
    // The only finding is the hand commit of `pass` outside rel's files:
    // none at all, as it touches no file of rel's.
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, 0);
}

#[test]
fn output_past_one_mib_is_cut_with_a_line_saying_so() {
    // 1.5 MiB of "x" lines, then binary bytes that are not UTF-8.
    let env = Env::with_pipeline(&pipeline(
        "head -c 1572864 /dev/zero | tr '\\0' x; printf '\\377\\376'",
    ));
    let id = new_release(&env, "1.0.0");
    one_commit(&env, &["--json", "verify", &id]);
    let kept = committed(&env, &format!("releases/reports/{id}/dev-1.log"));
    let limit = 1024 * 1024;
    assert!(kept[..limit].iter().all(|b| *b == b'x'));
    let tail = String::from_utf8(kept[limit..].to_vec()).expect("the line");
    assert_eq!(
        tail,
        "\n[rel: output cut here: the first 1048576 bytes (1 MiB) of 1572866 are kept]\n"
    );
}

#[test]
fn binary_output_is_kept_as_bytes() {
    let env = Env::with_pipeline(&pipeline("printf 'ok \\377\\000 end\\n'"));
    let id = new_release(&env, "1.0.0");
    one_commit(&env, &["verify", &id]);
    let kept = committed(&env, &format!("releases/reports/{id}/dev-1.log"));
    assert_eq!(kept, b"ok \xff\x00 end\n");
    // show still works on it.
    env.rel(&["show", &id]).ok();
}

#[test]
fn the_audit_takes_verify_s_report_file_but_not_a_hand_edit_of_it() {
    let env = Env::with_pipeline(&pipeline("echo fine"));
    let id = new_release(&env, "1.0.0");
    one_commit(&env, &["verify", &id]);
    let (code, v) = audit(&env, &[]);
    assert_eq!((code, findings(&v)), (0, vec![]), "{v:#}");

    let log = format!("releases/reports/{id}/dev-1.log");
    env.write(&log, "fine, honestly\n");
    commit_dated(&env, "tidy the report", "2026-11-20T15:30:00Z");
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&v),
        [("hand-edit".to_string(), id.clone())],
        "{v:#}"
    );
    let message = v["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains(&log), "{message}");
}
