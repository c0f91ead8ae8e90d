//! Repository growth: rel adds up the loose objects its commits write and
//! leaves packing to `git gc --auto`, started in the background.

use crate::common::Env;
use crate::promotion::new_release;

fn loose_bytes(env: &Env) -> Option<u64> {
    std::fs::read_to_string(env.path(".git/rel/loose-bytes"))
        .ok()
        .and_then(|t| t.trim().parse().ok())
}

#[test]
fn each_commit_adds_its_loose_objects_until_packing_is_asked_for() {
    let env = Env::new();
    new_release(&env, "1.0.0");
    let first = loose_bytes(&env).expect("counted after a commit");
    assert!(first > 0);
    new_release(&env, "1.1.0");
    let second = loose_bytes(&env).expect("counted");
    assert!(second > first, "{first} then {second}");
    // Past the threshold, gc is asked for and the count starts again.
    std::fs::write(env.path(".git/rel/loose-bytes"), (64u64 << 20).to_string()).expect("write");
    new_release(&env, "1.2.0");
    assert_eq!(loose_bytes(&env), Some(0));
}

#[test]
fn gc_auto_0_turns_it_off_as_for_git() {
    let env = Env::new();
    env.git(&["config", "gc.auto", "0"]);
    let _ = std::fs::remove_file(env.path(".git/rel/loose-bytes"));
    new_release(&env, "1.0.0");
    assert_eq!(loose_bytes(&env), None);
}

fn packs(env: &Env) -> usize {
    std::fs::read_dir(env.path(".git/objects/pack"))
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".pack"))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn past_the_threshold_the_loose_objects_are_packed_even_with_a_gc_log_left() {
    let env = Env::new();
    new_release(&env, "1.0.0");
    assert_eq!(packs(&env), 0);
    // A background gc that failed once leaves gc.log, which stops
    // `git gc --auto` for a day; rel's packing does not depend on it.
    std::fs::write(env.path(".git/gc.log"), "warning: earlier gc\n").expect("write");
    std::fs::write(env.path(".git/rel/loose-bytes"), (64u64 << 20).to_string()).expect("write");
    new_release(&env, "1.1.0");
    // The packing runs in the background: wait for it (bounded).
    let start = std::time::Instant::now();
    while packs(&env) == 0 && start.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(packs(&env), 1, "packed");
    env.rel(&["status"]).ok();
}
