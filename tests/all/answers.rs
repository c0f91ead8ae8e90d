//! What the cache tests compare: every answer (exit code, stdout, stderr)
//! of a list of reading commands, which nothing kept under `.git/rel` may
//! change; and a register large enough for rel to keep its trees.

use crate::common::Env;
use crate::promotion::{group_ready_incident, new_release};

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

/// Each command of `reads` answers as in `expected`.
#[track_caller]
pub fn assert_answers(env: &Env, reads: &[&[&str]], expected: &[Answer], what: &str) {
    for (args, (want, got)) in reads.iter().zip(expected.iter().zip(answers(env, reads))) {
        let command = args.join(" ");
        assert_eq!(want.0, got.0, "{what}: exit code of rel {command}");
        assert_eq!(want.2, got.2, "{what}: stderr of rel {command}");
        // Not assert_eq!: a diff of megabytes of JSON helps nobody.
        if want.1 != got.1 {
            let at = want
                .1
                .bytes()
                .zip(got.1.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            let from = got.1.floor_char_boundary(at.saturating_sub(40));
            let to = got.1.floor_char_boundary((at + 40).min(got.1.len()));
            panic!(
                "{what}: stdout of rel {command} differs from byte {at} ({} bytes, {} expected): {:?}",
                got.1.len(),
                want.1.len(),
                &got.1[from..to]
            );
        }
    }
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

/// Two releases (the first holding INC-1 and INC-2) and 2,000 more
/// incidents copied from one rel wrote: an incidents tree far over the
/// size from which rel keeps it, and many chunks of it.
pub fn large_register() -> Env {
    let env = Env::new();
    let r1 = new_release(&env, "1.0.0");
    group_ready_incident(&env, &r1, "INC-1");
    group_ready_incident(&env, &r1, "INC-2");
    new_release(&env, "1.1.0");
    env.rel(&["incident", "new", "INC-3", "--title", "Model"])
        .ok();
    copies_of_incident(&env, "INC-3", "Model", 4..2004);
    env
}
