//! Writing commits through one `git fast-import` session: blobs and trees
//! go straight into a pack (trees stored as deltas of their previous
//! version), with no work tree, no index and no loose objects.

use std::io::{BufWriter, Write as _};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

use crate::Res;

pub struct FastImport {
    out: BufWriter<ChildStdin>,
    child: Child,
    marks: usize,
}

impl FastImport {
    pub fn start(dir: &Path) -> Res<FastImport> {
        let mut child = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["fast-import", "--quiet", "--done"])
            .stdin(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run git fast-import: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin for git fast-import")?;
        Ok(FastImport {
            out: BufWriter::with_capacity(1 << 20, stdin),
            child,
            marks: 0,
        })
    }

    /// Starts a commit on `main` by `by` (`Name <email>`) at `at`; the
    /// file changes follow. `from`: the commit it follows, for the first
    /// commit of a session on an existing branch.
    pub fn commit(&mut self, by: &str, at: i64, message: &str, from: Option<&str>) -> Res<()> {
        writeln!(self.out, "commit refs/heads/main")?;
        writeln!(self.out, "author {by} {at} +0000")?;
        writeln!(self.out, "committer {by} {at} +0000")?;
        write!(self.out, "data {}\n{message}\n", message.len())?;
        if let Some(from) = from {
            writeln!(self.out, "from {from}")?;
        }
        Ok(())
    }

    pub fn file(&mut self, path: &str, text: &str) -> Res<()> {
        writeln!(self.out, "M 100644 inline {path}")?;
        writeln!(self.out, "data {}", text.len())?;
        self.out.write_all(text.as_bytes())?;
        writeln!(self.out)?;
        Ok(())
    }

    /// A blob given on its own, before the commits that use it; returns its
    /// mark for `file_mark`. (fast-import stores every blob as a delta of
    /// the one streamed just before it, when that is smaller.)
    pub fn blob(&mut self, text: &str) -> Res<usize> {
        self.marks += 1;
        write!(
            self.out,
            "blob\nmark :{}\ndata {}\n",
            self.marks,
            text.len()
        )?;
        self.out.write_all(text.as_bytes())?;
        writeln!(self.out)?;
        Ok(self.marks)
    }

    pub fn file_mark(&mut self, path: &str, mark: usize) -> Res<()> {
        writeln!(self.out, "M 100644 :{mark} {path}")?;
        Ok(())
    }

    pub fn delete(&mut self, path: &str) -> Res<()> {
        writeln!(self.out, "D {path}")?;
        Ok(())
    }

    pub fn finish(mut self) -> Res<()> {
        writeln!(self.out, "done")?;
        self.out.flush()?;
        drop(self.out);
        let status = self.child.wait()?;
        if !status.success() {
            return Err(format!("git fast-import failed: {status}").into());
        }
        Ok(())
    }
}
