//! What tests of answers compare: every answer (exit code, stdout,
//! stderr) of a list of reading commands; and many incidents made at once.

use crate::common::Env;

/// Exit code, stdout, stderr.
pub type Answer = (i32, String, String);

/// The answer of each command of `reads`, in order.
pub fn answers(env: &Env, reads: &[&[&str]]) -> Vec<Answer> {
    reads
        .iter()
        .map(|args| {
            let run = env.rel(args);
            (run.code, run.stdout, run.stderr)
        })
        .collect()
}

/// Incidents `INC-<n>` for each n of `numbers`: copies of incident
/// `model` (a file rel wrote) with its id and its title `title` replaced,
/// committed as one hand edit.
pub fn copies_of_incident(env: &Env, model: &str, title: &str, numbers: std::ops::Range<u32>) {
    let text = env.read(&format!("releases/incidents/{model}.toml"));
    for n in numbers {
        let id = format!("INC-{n}");
        env.write(
            &format!("releases/incidents/{id}.toml"),
            &text
                .replace(model, &id)
                .replace(title, &format!("Copy {n}")),
        );
    }
    env.commit_all("hand edit: many incidents");
}
