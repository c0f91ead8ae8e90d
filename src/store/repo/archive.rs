//! The archive of finished releases (contract 11.1), as the store sees it:
//! finding an archived release or incident for the commands about the past,
//! and the changes that move a finished release into it. Nothing about work
//! in progress calls this module: the archive never decides a write.

use crate::error::invalid;
use crate::model::archive::{self, parse_year, Shard, ARCHIVE_DIR};
use crate::model::ids::{id_key, validate_id};
use crate::model::incident::Incident;
use crate::model::release::Release;

use super::manifests::{file_of, Stored};
use super::toml_file;
use super::workspace::Workspace;
use crate::store::git::commit::Change;

/// Something the archive holds, one file per id in a year's folder.
pub trait Archivable: Stored + serde::Serialize {
    /// The folder of `year` that holds T's files.
    fn archived_dir(year: i32) -> String;
}

impl Archivable for Release {
    fn archived_dir(year: i32) -> String {
        archive::year_dir(year)
    }
}

impl Archivable for Incident {
    fn archived_dir(year: i32) -> String {
        format!("{}/incidents", archive::year_dir(year))
    }
}

/// T's file for `id` in `year`.
pub fn archived_file<T: Archivable>(year: i32, id: &str) -> String {
    format!("{}/{id}.toml", T::archived_dir(year))
}

impl Workspace {
    /// The years the archive holds, newest first (folder names only).
    pub fn archive_years(&self) -> anyhow::Result<Vec<i32>> {
        let mut years: Vec<i32> = self
            .folder_names(ARCHIVE_DIR)?
            .iter()
            .filter_map(|n| parse_year(n))
            .collect();
        years.sort_unstable_by(|a, b| b.cmp(a));
        Ok(years)
    }

    /// The ids T's folder of `year` holds, by name only.
    pub fn archived_ids<T: Archivable>(&self, year: i32) -> anyhow::Result<Vec<String>> {
        Ok(self
            .list_rel_dir(&T::archived_dir(year))?
            .into_iter()
            .filter(|f| f.name.ends_with(".toml") && !f.name.starts_with('.'))
            .map(|f| f.id().to_string())
            .collect())
    }

    /// The release ids a new release must not take: those in progress,
    /// those archived in `year` (ids are numbered by year, and a release
    /// numbered in `year` that finished is archived in `year` or later:
    /// only that year's folder names are read), and `asked` when the
    /// archive holds it under any year.
    pub fn release_ids_taken(&self, year: i32, asked: Option<&str>) -> anyhow::Result<Vec<String>> {
        let mut taken = self.ids::<Release>()?;
        taken.extend(self.archived_ids::<Release>(year)?);
        if let Some(asked) = asked {
            if let Some((_, id)) = self.find_archived::<Release>(asked)? {
                taken.push(id);
            }
        }
        Ok(taken)
    }

    /// How many finished releases lie in `releases/` (a repository made
    /// before revision 3, until `rel archive`): the files there less the
    /// `in_progress` releases, without reading the finished ones.
    pub fn finished_outside_archive(&self, in_progress: usize) -> anyhow::Result<usize> {
        let all = self
            .list_rel_dir(super::workspace::RELEASES_DIR)?
            .iter()
            .filter(|f| f.name.ends_with(".toml") && !f.name.starts_with('.'))
            .count();
        Ok(all.saturating_sub(in_progress))
    }

    /// Where `wanted` is archived (its year and id as filed, matched
    /// ignoring case); None when the archive does not hold it.
    pub fn find_archived<T: Archivable>(
        &self,
        wanted: &str,
    ) -> anyhow::Result<Option<(i32, String)>> {
        validate_id(T::WHAT, wanted).map_err(invalid)?;
        let years = self.archive_years()?;
        for &year in &years {
            if self.has_rel_file(&archived_file::<T>(year, wanted))? {
                return Ok(Some((year, wanted.to_string())));
            }
        }
        let key = id_key(wanted);
        for &year in &years {
            if let Some(id) = self
                .archived_ids::<T>(year)?
                .into_iter()
                .find(|id| id_key(id) == key)
            {
                return Ok(Some((year, id)));
            }
        }
        Ok(None)
    }

    /// T archived in `year` as `id`.
    pub fn load_archived<T: Archivable>(&self, year: i32, id: &str) -> anyhow::Result<T> {
        let relative = archived_file::<T>(year, id);
        let text = self
            .read_rel_file(&relative)?
            .ok_or_else(|| invalid(format!("unknown {} `{id}`", T::WHAT)))?;
        let item: T = toml_file::parse(std::path::Path::new(&relative), &text)?;
        if item.id() != id {
            return Err(invalid(format!(
                "{relative}: its id is {:?} but the file is named for {id:?}; the file name and the id must match",
                item.id()
            )));
        }
        Ok(item)
    }

    /// For the commands about the past: the item in progress, or else
    /// the archived one. Exact names are looked up first (one look-up per
    /// year), so a release's incidents are found without listing the
    /// register or the archive.
    pub fn load_past<T: Archivable>(&self, wanted: &str) -> anyhow::Result<T> {
        validate_id(T::WHAT, wanted).map_err(invalid)?;
        if self.has_rel_file(&file_of::<T>(wanted))? {
            return self.load(wanted);
        }
        for year in self.archive_years()? {
            if self.has_rel_file(&archived_file::<T>(year, wanted))? {
                return self.load_archived(year, wanted);
            }
        }
        match self.resolve::<T>(wanted) {
            Ok(id) => self.load(&id),
            Err(not_live) => match self.find_archived::<T>(wanted)? {
                Some((year, id)) => self.load_archived(year, &id),
                None => Err(not_live),
            },
        }
    }

    /// Where T's file for `id` lies: in progress, or in the archive; the
    /// path in progress when neither holds it.
    pub fn past_file<T: Archivable>(&self, id: &str) -> anyhow::Result<String> {
        let live = file_of::<T>(id);
        if self.has_rel_file(&live)? {
            return Ok(live);
        }
        for year in self.archive_years()? {
            let kept = archived_file::<T>(year, id);
            if self.has_rel_file(&kept)? {
                return Ok(kept);
            }
        }
        Ok(live)
    }

    /// Where a health report recorded as `log` (its path while the
    /// release was in progress) lies now: there, or in the archive.
    pub fn past_report(&self, log: &str) -> anyhow::Result<String> {
        if self.has_rel_file(log)? {
            return Ok(log.to_string());
        }
        let Some(rest) = log
            .strip_prefix(archive::REPORTS_DIR)
            .and_then(|r| r.strip_prefix('/'))
        else {
            return Ok(log.to_string());
        };
        for year in self.archive_years()? {
            let kept = format!("{}/reports/{rest}", archive::year_dir(year));
            if self.has_rel_file(&kept)? {
                return Ok(kept);
            }
        }
        Ok(log.to_string())
    }

    /// One file of the archive's index (empty when it does not exist),
    /// read once per workspace: rel's own layout line by line, anything
    /// else as TOML.
    fn index_file(&self, path: &str) -> anyhow::Result<std::rc::Rc<archive::Index>> {
        if let Some(index) = self.archive_index.borrow().get(path) {
            return Ok(index.clone());
        }
        let index = std::rc::Rc::new(match self.read_rel_file(path)? {
            None => archive::Index::default(),
            Some(text) => match crate::model::archive_index::read_canonical(&text) {
                Some(index) => index,
                None => toml_file::parse(std::path::Path::new(path), &text)?,
            },
        });
        self.archive_index
            .borrow_mut()
            .insert(path.to_string(), index.clone());
        Ok(index)
    }

    /// The index's shards, by file name (names not of a shard are not
    /// the index's); None while the repository keeps the legacy index
    /// file, which is then the whole index.
    pub fn index_shards(&self) -> anyhow::Result<Option<Vec<Shard>>> {
        if self.has_rel_file(archive::LEGACY_INDEX_FILE)? {
            return Ok(None);
        }
        self.index_shard_files().map(Some)
    }

    /// The shards' files there are, whether or not they are the index.
    pub fn index_shard_files(&self) -> anyhow::Result<Vec<Shard>> {
        let mut shards: Vec<Shard> = self
            .list_rel_dir(archive::INDEX_DIR)?
            .iter()
            .filter_map(|f| Shard::from_file_name(&f.name))
            .collect();
        shards.sort_unstable();
        Ok(shards)
    }

    /// The entries of one shard.
    pub fn index_shard(&self, shard: Shard) -> anyhow::Result<std::rc::Rc<archive::Index>> {
        self.index_file(&shard.path())
    }

    /// The parts of the index that may hold an entry of a shard `pick`
    /// takes: those shards, or the legacy whole (callers filter its
    /// entries as they would a shard's).
    pub fn index_parts(
        &self,
        pick: impl Fn(Shard) -> bool,
    ) -> anyhow::Result<Vec<std::rc::Rc<archive::Index>>> {
        match self.index_shards()? {
            None => Ok(vec![self.index_file(archive::LEGACY_INDEX_FILE)?]),
            Some(shards) => shards
                .into_iter()
                .filter(|s| pick(*s))
                .map(|s| self.index_shard(s))
                .collect(),
        }
    }

    /// The whole index (empty when there is none yet): every shard. For
    /// what asks about any released release (carried releases, an
    /// installation's updates, `rel archive`).
    pub fn archive_index(&self) -> anyhow::Result<std::rc::Rc<archive::Index>> {
        self.archive_index_of(|_| true)
    }

    /// The entries of the shards `pick` takes, as one index (the legacy
    /// whole while the repository keeps it).
    pub fn archive_index_of(
        &self,
        pick: impl Fn(Shard) -> bool,
    ) -> anyhow::Result<std::rc::Rc<archive::Index>> {
        let mut parts = self.index_parts(pick)?;
        if parts.len() == 1 {
            return Ok(parts.remove(0));
        }
        let released = parts
            .iter()
            .flat_map(|p| p.released.iter().cloned())
            .collect();
        Ok(std::rc::Rc::new(archive::Index { released }))
    }

    /// The index with released `release` (shipping `incidents`) added, as
    /// a change to commit with its move: its shard rewritten, or the
    /// legacy whole while the repository keeps it.
    pub fn index_with(&self, release: &Release, incidents: &[Incident]) -> anyhow::Result<Change> {
        let entry = archive::Shipped::of(release, incidents);
        let path = match self.index_shards()? {
            None => archive::LEGACY_INDEX_FILE.to_string(),
            Some(_) => Shard::of_entry(&entry).path(),
        };
        let index = archive::Index::clone(&*self.index_file(&path)?).with(entry);
        Ok(Change::file(
            &path,
            toml_file::to_canonical(&index)?.into_bytes(),
        ))
    }

    /// The changes that move finished `release` (its value as it is to be
    /// committed), the incidents it shipped and its health reports into
    /// the archive: each a removal of the file in progress plus the file
    /// in the archive, so git sees renames.
    pub fn archive_moves(
        &self,
        release: &Release,
        incidents: &[Incident],
    ) -> anyhow::Result<Vec<Change>> {
        self.moves(release, incidents, false)
    }

    /// `archive_moves` of files kept byte for byte (`rel archive`: a pure
    /// move, whatever the files' formatting).
    pub fn archive_moves_as_they_are(
        &self,
        release: &Release,
        incidents: &[Incident],
    ) -> anyhow::Result<Vec<Change>> {
        self.moves(release, incidents, true)
    }

    fn moves(
        &self,
        release: &Release,
        incidents: &[Incident],
        as_they_are: bool,
    ) -> anyhow::Result<Vec<Change>> {
        let content = |path: &str, canonical: anyhow::Result<String>| -> anyhow::Result<Vec<u8>> {
            if as_they_are {
                self.bytes_of(path)
            } else {
                Ok(canonical?.into_bytes())
            }
        };
        let year = archive::year_of(release).ok_or_else(|| {
            anyhow::anyhow!(
                "internal error: {} is in progress and cannot be archived",
                release.id
            )
        })?;
        let mut changes = vec![
            Change::removal(file_of::<Release>(&release.id)),
            Change::file(
                archived_file::<Release>(year, &release.id),
                content(
                    &file_of::<Release>(&release.id),
                    toml_file::to_canonical(release),
                )?,
            ),
        ];
        for i in incidents {
            changes.push(Change::removal(file_of::<Incident>(&i.id)));
            changes.push(Change::file(
                archived_file::<Incident>(year, &i.id),
                content(&file_of::<Incident>(&i.id), toml_file::to_canonical(i))?,
            ));
        }
        let live = archive::live_reports_dir(&release.id);
        let kept = archive::reports_dir(year, &release.id);
        for file in self.list_rel_dir(&live)? {
            let from = format!("{live}/{}", file.name);
            let bytes = self.bytes_of(&from)?;
            changes.push(Change::removal(from));
            changes.push(Change::file(format!("{kept}/{}", file.name), bytes));
        }
        Ok(changes)
    }

    /// The bytes of one of rel's files in the tree decided on.
    fn bytes_of(&self, relative: &str) -> anyhow::Result<Vec<u8>> {
        match self.blob_of(relative)? {
            Some(blob) => Ok(self.repo.find_blob(blob)?.content().to_vec()),
            None => std::fs::read(self.path(relative))
                .map_err(|e| invalid(format!("{relative}: cannot read: {e}"))),
        }
    }
}
