//! Repository growth: rel leaves packing to git, started in the background
//! after a commit once the loose objects pass git's count (estimated from
//! one object folder, as git does) or, after a commit that wrote large
//! objects, rel's size threshold. Nothing is counted under `.git/rel`.

use crate::common::releases::new_release;
use crate::common::Env;

fn packs(env: &Env) -> usize {
    std::fs::read_dir(env.path(".git/objects/pack"))
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".pack"))
                .count()
        })
        .unwrap_or(0)
}

/// A loose object in `.git/objects/17/`, the folder git's estimate counts.
fn loose_object_in_17(env: &Env) {
    let content = (0u32..)
        .map(|n| format!("object {n}\n"))
        .find(|c| {
            git2::Oid::hash_object(git2::ObjectType::Blob, c.as_bytes())
                .is_ok_and(|id| id.to_string().starts_with("17"))
        })
        .expect("some content hashes to 17…");
    std::fs::write(env.path("object.txt"), &content).expect("write");
    env.git(&["hash-object", "-w", "object.txt"]);
    std::fs::remove_file(env.path("object.txt")).expect("remove");
}

fn wait_for_a_pack(env: &Env) -> usize {
    let start = std::time::Instant::now();
    while packs(env) == 0 && start.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    packs(env)
}

#[test]
fn past_the_threshold_the_loose_objects_are_packed_even_with_a_gc_log_left() {
    let env = Env::new();
    new_release(&env, "1.0.0");
    assert_eq!(packs(&env), 0);
    // A background gc that failed once leaves gc.log, which stops
    // `git gc --auto` for a day; rel's packing does not depend on it.
    std::fs::write(env.path(".git/gc.log"), "warning: earlier gc\n").expect("write");
    loose_object_in_17(&env);
    env.git(&["config", "gc.auto", "1"]);
    new_release(&env, "1.1.0");
    assert_eq!(wait_for_a_pack(&env), 1, "packed");
    assert!(
        !env.path(".git/rel").exists(),
        "nothing counted under .git/rel"
    );
    env.rel(&["status"]).ok();
}

#[test]
fn gc_auto_0_turns_it_off_as_for_git() {
    let env = Env::new();
    loose_object_in_17(&env);
    env.git(&["config", "gc.auto", "0"]);
    new_release(&env, "1.0.0");
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(packs(&env), 0);
}
