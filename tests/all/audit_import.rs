//! `rel audit` of a commit made by hand that adds many incident files at
//! once (an import: the audit reads them on one thread and parses them on
//! every core): one `hand-edit` finding per file, in the commit's order of
//! paths, a file that does not parse named in its place, and the state
//! after the import holding every incident that parses, so rel's own
//! commits after it are clean.

use crate::audit::{audit, commit_dated};
use crate::common::git::one_commit;
use crate::common::releases::new_release;
use crate::common::Env;

/// More than a few batches of the audit's parallel parse (128 files each).
const IMPORTED: usize = 700;

#[test]
fn an_import_by_hand_is_one_finding_per_file_in_order_and_the_state_holds_it() {
    let env = Env::new();
    // One incident made by rel, ready to group: the template of the rest.
    for args in [
        &["incident", "new", "INC-0000", "--title", "Template"][..],
        &["incident", "resolve", "INC-0000"],
        &["incident", "authorise", "INC-0000", "--by", "Carla Client"],
        &[
            "incident",
            "test",
            "INC-0000",
            "--evidence",
            "tests/report.pdf",
        ],
    ] {
        one_commit(&env, args);
    }
    let template = env.read("releases/incidents/INC-0000.toml");
    assert!(template.starts_with("id = \"INC-0000\"\n"), "{template}");
    let file_of = |id: &str| format!("releases/incidents/{id}.toml");
    let as_id = |id: &str| template.replacen("INC-0000", id, 1);
    let mut paths = Vec::new();
    for n in 1..=IMPORTED {
        let id = format!("INC-{n:04}");
        let text = match n {
            // Not TOML, in the middle of a batch.
            250 => "id = \"INC-0250\"\ntitle = [unclosed\n".to_string(),
            // Another id than its file's name.
            400 => as_id("INC-9999"),
            _ => as_id(&id),
        };
        env.write(&file_of(&id), &text);
        paths.push(file_of(&id));
    }
    // Filed before the template's id: not in the order the state grows.
    env.write(&file_of("ABC-1"), &as_id("ABC-1"));
    paths.push(file_of("ABC-1"));
    paths.sort();
    commit_dated(&env, "import the register", "2026-11-20T10:00:00Z");
    let import = env.head();

    // rel's own commits after the import, on incidents it brought.
    let release = new_release(&env, "1.0.0");
    one_commit(&env, &["group", &release, "INC-0007", "ABC-1", "INC-0700"]);

    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1, "{v:#}");
    let findings = v["findings"].as_array().expect("findings");
    // Every finding is on the import: rel's commits after it are clean.
    assert!(
        findings.iter().all(|f| f["commit"] == import.as_str()),
        "{v:#}"
    );
    assert_eq!(findings.len(), IMPORTED + 1, "{v:#}");
    for (f, path) in findings.iter().zip(&paths) {
        let message = f["message"].as_str().unwrap_or_default();
        let id = path.trim_start_matches("releases/incidents/");
        let id = id.trim_end_matches(".toml");
        assert_eq!(f["finding"], "hand-edit", "{f}");
        assert!(message.contains(id), "{id} expected in {f}");
    }
    let message_of = |id: &str| {
        let at = paths.iter().position(|p| *p == file_of(id)).unwrap();
        findings[at]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        message_of("INC-0250").contains("INC-0250.toml:2:18: unclosed array"),
        "{v:#}"
    );
    assert!(message_of("INC-0400").contains("INC-9999"), "{v:#}");
}
