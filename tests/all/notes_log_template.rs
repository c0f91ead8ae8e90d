//! Release notes written to a file (`--output`, relative to `-C DIR`, not
//! with `--dry-run`) and a project's own template `releases/notes.md.j2`.

use serde_json::Value;

use crate::notes_log::{notes, release_with_incidents, RELEASE};

// ---- --output ----

#[test]
fn output_writes_the_file_and_nothing_on_stdout() {
    let env = release_with_incidents();
    let md = notes(&env, &[]);
    let run = env.rel(&["notes", RELEASE, "--output", "notes.md"]);
    run.ok();
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("notes.md"), "{}", run.stderr);
    assert_eq!(env.read("notes.md"), md);

    env.rel(&[
        "notes",
        RELEASE,
        "--format",
        "json",
        "--output",
        "out/notes.json",
    ])
    .code(2); // the folder does not exist
    std::fs::create_dir(env.path("out")).expect("mkdir");
    env.rel(&[
        "notes",
        RELEASE,
        "--format",
        "json",
        "--output",
        "out/notes.json",
    ])
    .ok();
    let v: Value = serde_json::from_str(&env.read("out/notes.json")).expect("json");
    assert_eq!(v["breaking"][0]["id"], "INC-101");
}

#[test]
fn output_is_relative_to_the_c_folder() {
    let env = release_with_incidents();
    let repo = env.dir.to_string_lossy().to_string();
    let mut cmd = env.cmd(&["-C", &repo, "notes", RELEASE, "--output", "from-c.md"]);
    cmd.current_dir(env.tmp.path());
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(env.path("from-c.md").is_file());
    assert!(!env.tmp.path().join("from-c.md").exists());
}

#[test]
fn output_with_dry_run_writes_nothing() {
    let env = release_with_incidents();
    env.assert_unchanged(|| {
        let run = env.rel(&["--dry-run", "notes", RELEASE, "--output", "notes.md"]);
        run.ok();
        assert!(run.stderr.contains("would write"), "{}", run.stderr);
    });
}

// ---- a project's own template ----

const TEMPLATE: &str = "\
Notes for {{ release }} {{ version }} ({{ kind }}): {{ title }}
{{ state }} in {{ environment }} since {{ reached_at }}, target {{ target }}
{% for i in breaking %}
! {{ i.id }} {{ i.title | md_escape }}{% if i.impact %} -- {{ i.impact }}{% endif %}
{%- for g in i.components %} [{{ g.kind }}: {{ g.names | join(\", \") }}]{% endfor %}
{%- endfor %}
{% for i in changes %}
* {{ i.id }} {{ i.title }}{% if not i.breaking %} (compatible){% endif %}
{%- endfor %}


";

#[test]
fn template_in_releases_is_used() {
    let env = release_with_incidents();
    env.write("releases/notes.md.j2", TEMPLATE);
    env.commit_all("notes template");
    let md = notes(&env, &[]);
    assert_eq!(
        md,
        "Notes for R-2026-001 2.0.0 (major): Spring billing release\n\
         frozen in uat since 2026-11-23T10:00:00Z, target 2026-12-15\n\
         \n\
         ! INC-101 Remove the \\*legacy\\* SOAP\\_v1 endpoint \\#12 \\<b\\>now\\</b\\> -- \
         Clients calling /soap/v1 must switch to /api/v2 & re-test; see [guide](https://x.example/g) _soon_ \
         [dll: Billing.Core.dll, Billing.Soap.dll] [parameter: SOAP_ENABLED] [permission: soap.invoke]\n\
         ! INC-103 Rename the export column -- Spreadsheets reading the export need the new column name \
         [sql: `invoice`.amount]\n\
         \n\
         * INC-102 Faster invoice search (compatible)\n\
         * INC-104 Typo in the invoice footer (compatible)\n"
    );
    // Trailing blank lines of the template: the document still ends with one newline.
    env.rel(&["notes", RELEASE, "--output", "t.md"]).ok();
    assert_eq!(env.read("t.md"), md);
    // JSON is JSON, whatever the template.
    let v: Value = serde_json::from_str(&notes(&env, &["--format", "json"])).expect("json");
    assert_eq!(v["release"], RELEASE);
}

#[test]
fn template_with_a_syntax_error_is_exit_2_naming_file_and_line() {
    let env = release_with_incidents();
    env.write(
        "releases/notes.md.j2",
        "# {{ release }}\n\n{% if breaking %}\n{% endfor %}\n",
    );
    env.commit_all("notes template");
    let run = env.rel(&["notes", RELEASE]);
    run.code(2);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("releases/notes.md.j2:4:"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.matches("notes.md.j2").count(),
        1,
        "the place is said once: {}",
        run.stderr
    );
    // --output writes nothing when the template fails.
    env.rel(&["notes", RELEASE, "--output", "x.md"]).code(2);
    assert!(!env.path("x.md").exists());
}

#[test]
fn template_with_a_misspelt_variable_is_exit_2() {
    let env = release_with_incidents();
    env.write("releases/notes.md.j2", "# {{ release }}\n\n{{ titel }}\n");
    env.commit_all("notes template");
    let run = env.rel(&["notes", RELEASE]);
    run.code(2);
    assert!(
        run.stderr.contains("releases/notes.md.j2:3:") && run.stderr.contains("undefined"),
        "{}",
        run.stderr
    );
    // Optional values are present as none: testing them is not an error.
    env.write(
        "releases/notes.md.j2",
        "{% for i in changes %}{{ i.id }}={{ i.impact or \"-\" }} {% endfor %}",
    );
    env.commit_all("notes template");
    assert_eq!(
        notes(&env, &[]),
        "INC-102=Searches return in under a second INC-104=-\n"
    );
}

#[test]
fn template_that_never_ends_is_stopped_with_exit_2() {
    let env = release_with_incidents();
    env.write(
        "releases/notes.md.j2",
        "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}\n",
    );
    env.commit_all("notes template");
    let run = env.rel(&["notes", RELEASE]);
    run.code(2);
    assert!(
        run.stderr.contains("releases/notes.md.j2") && run.stderr.contains("fuel"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}
