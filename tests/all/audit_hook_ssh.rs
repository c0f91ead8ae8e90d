//! `rel audit --hook` behind a real `sshd` on 127.0.0.1, as a team's
//! server runs it: throwaway host and user keys, a config of its own, the
//! daemon a child of the test (stopped by a guard, pass or fail). rel's
//! own pushes over SSH pass; a hand edit, a deletion and a force push are
//! refused and the remote is unchanged. Skipped (saying so) only where
//! sshd is absent and CI is not set.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::audit::commit_dated;
use crate::audit_hook::{assert_refused, guarded_pipeline, install_hook};
use crate::common::{Env, Run};

const SSHD: &str = "/usr/sbin/sshd";

/// The daemon, killed when the test ends however it ends.
struct Daemon {
    child: Child,
    log: PathBuf,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// What the ssh client needs: the key, the port, the user.
struct Server {
    daemon: Daemon,
    ssh_command: String,
    user: String,
    port: u16,
}

impl Server {
    fn url(&self, bare: &Path) -> String {
        format!(
            "ssh://{}@127.0.0.1:{}{}",
            self.user,
            self.port,
            bare.display()
        )
    }

    fn vars(&self) -> [(&str, &str); 1] {
        [("GIT_SSH_COMMAND", self.ssh_command.as_str())]
    }
}

/// Whether the test can run here; panics in CI when it cannot.
fn sshd_present() -> bool {
    if Path::new(SSHD).is_file() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{SSHD} is missing and CI is set: install openssh-server (.ci/run does)"
    );
    eprintln!(
        "skipped: {SSHD} is not installed (apt-get install openssh-server); CI runs this test"
    );
    false
}

fn keygen(dir: &Path, name: &str) -> PathBuf {
    let key = dir.join(name);
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .output()
        .expect("ssh-keygen");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    key
}

fn who_am_i() -> String {
    let out = Command::new("id").arg("-un").output().expect("id");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Starts sshd on a free port of 127.0.0.1 with keys made in `dir`.
fn start(dir: &Path) -> Server {
    // sshd refuses to start without its privilege-separation folder (root
    // may make it; .ci/run does).
    let _ = std::fs::create_dir_all("/run/sshd");
    let host = keygen(dir, "host_key");
    let user = keygen(dir, "user_key");
    let authorized = dir.join("authorized_keys");
    std::fs::copy(user.with_extension("pub"), &authorized).expect("authorized_keys");
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let config = dir.join("sshd_config");
    std::fs::write(
        &config,
        format!(
            "ListenAddress 127.0.0.1\nPort {port}\nHostKey {}\nAuthorizedKeysFile {}\n\
             StrictModes no\nUsePAM no\nPidFile {}\nPermitRootLogin yes\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\n",
            host.display(),
            authorized.display(),
            dir.join("sshd.pid").display()
        ),
    )
    .expect("sshd_config");
    let log = dir.join("sshd.log");
    let child = Command::new(SSHD)
        .args(["-D", "-e", "-f"])
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&log).expect("log"))
        .stderr(std::fs::File::create(dir.join("sshd.err")).expect("log"))
        .spawn()
        .expect("start sshd");
    let daemon = Daemon {
        child,
        log: dir.join("sshd.err"),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "sshd did not listen on {port}:\n{}",
            daemon.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let ssh_command = format!(
        "ssh -F /dev/null -i {} -p {port} -o IdentitiesOnly=yes -o StrictHostKeyChecking=no \
         -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR",
        user.display()
    );
    Server {
        daemon,
        ssh_command,
        user: who_am_i(),
        port,
    }
}

/// `git ARGS` in `env` over ssh; panics when it fails.
#[track_caller]
fn git_ssh(env: &Env, server: &Server, args: &[&str]) {
    let out = env
        .program("git")
        .args(args)
        .envs(server.vars())
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}\n--- sshd\n{}",
        String::from_utf8_lossy(&out.stderr),
        server.daemon.log()
    );
}

/// `rel ARGS` in `env` over ssh, one commit, pushed.
#[track_caller]
fn rel_ssh(env: &Env, server: &Server, args: &[&str]) -> Run {
    let run = env.rel_env(args, &server.vars());
    assert_eq!(
        run.code,
        0,
        "rel {args:?}:\n{}\n{}\n--- sshd\n{}",
        run.stdout,
        run.stderr,
        server.daemon.log()
    );
    run
}

#[test]
fn over_ssh_rels_pushes_pass_and_hand_edits_deletions_and_force_pushes_are_refused() {
    if !sshd_present() {
        return;
    }
    // The release repository, made locally, then shared on the server.
    let first = Env::with_pipeline(&guarded_pipeline());
    let keys = first.tmp.path().join("ssh");
    std::fs::create_dir_all(&keys).expect("ssh dir");
    let server = start(&keys);
    let bare = first.tmp.path().join("shared.git");
    first.git(&["init", "-q", "--bare", bare.to_str().expect("utf-8")]);
    // The server's git reads no one's configuration.
    install_hook(
        &bare,
        "export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1",
    );
    let url = server.url(&bare);
    first.git(&["remote", "add", "origin", &url]);
    git_ssh(&first, &server, &["push", "-q", "origin", "HEAD:master"]);
    git_ssh(&first, &server, &["fetch", "-q", "origin"]);
    first.git(&["branch", "-q", "-u", "origin/master"]);

    // rel's own writes, each pushed over ssh through the hook.
    let envs = [("GIT_SSH_COMMAND", server.ssh_command.as_str())];
    let id = rel_ssh(
        &first,
        &server,
        &["new", "--version", "1.4.0", "--title", "A"],
    )
    .stdout
    .trim()
    .to_string();
    for args in [
        vec!["incident", "new", "INC-1", "--title", "Change"],
        vec!["incident", "resolve", "INC-1"],
        vec!["incident", "authorise", "INC-1", "--by", "Carla Client"],
        vec![
            "incident",
            "test",
            "INC-1",
            "--evidence",
            "tests/report.pdf",
        ],
        vec!["group", &id, "INC-1"],
        vec!["freeze", &id],
        vec!["promote", &id],
    ] {
        rel_ssh(&first, &server, &args);
    }
    let remote_head = |env: &Env| {
        env.git(&[
            "--git-dir",
            bare.to_str().expect("utf-8"),
            "rev-parse",
            "master",
        ])
        .trim()
        .to_string()
    };
    assert_eq!(remote_head(&first), first.head(), "every write landed");

    // A hand promotion to live, with rel's trailers: refused over ssh.
    let path = format!("releases/{id}.toml");
    let text = first.read(&path);
    first.write(
        &path,
        &text.replacen("environment = \"test\"", "environment = \"live\"", 1),
    );
    commit_dated(
        &first,
        &format!(
            "rel: promote {id} to live\n\nRel-Action: promote\nRel-Release: {id}\nRel-Env: live\n"
        ),
        "2026-11-21T09:00:00Z",
    );
    assert_refused(
        &first,
        &bare,
        &["origin", "HEAD:master"],
        &envs,
        &["remote: rel: the push to master is refused", "soak"],
    );
    first.git(&["reset", "-q", "--hard", "HEAD~1"]);
    assert_refused(
        &first,
        &bare,
        &["origin", ":master"],
        &envs,
        &["deleting master"],
    );
    first.git(&["commit", "-q", "--amend", "-m", "rewritten"]);
    assert_refused(
        &first,
        &bare,
        &["--force", "origin", "HEAD:master"],
        &envs,
        &["is not a fast-forward"],
    );
}
