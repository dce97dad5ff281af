//! schedd's persistent state in sled: jobs, functions, wasm modules and the aotc
//! artifact cache, as separate trees. sled is beta: all of schedd's use of it is here.

use crate::core::{JobId, JobRecord};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// An uploaded function: a name bound to a module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionRecord {
    /// Name used by `fsub`.
    pub name: String,
    /// sha256 of the wasm, hex.
    pub hash: String,
    /// Size of the wasm.
    pub wasm_bytes: u64,
    /// Size of the native artifact.
    pub artifact_bytes: u64,
    /// Cranelift time of the upload (0 if it was a cache hit).
    pub compile_ms: u32,
    /// Whether the upload found the artifact cached.
    pub cache_hit: bool,
    /// Unix ms.
    pub uploaded_ms: i64,
    /// Who uploaded it.
    pub user: String,
}

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// sled failed.
    #[error("state store: {0}")]
    Sled(#[from] sled::Error),
    /// A record did not decode.
    #[error("state store: corrupt record: {0}")]
    Corrupt(#[from] serde_json::Error),
}

/// schedd's sled database.
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    jobs: sled::Tree,
    functions: sled::Tree,
    modules: sled::Tree,
    artifacts: sled::Tree,
    drains: sled::Tree,
    meta: sled::Tree,
}

impl Store {
    /// Opens (or creates) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let db = sled::Config::new()
            .path(dir.join("db"))
            .flush_every_ms(Some(200))
            .open()?;
        Ok(Store {
            jobs: db.open_tree("jobs")?,
            functions: db.open_tree("functions")?,
            modules: db.open_tree("modules")?,
            artifacts: db.open_tree("artifacts")?,
            drains: db.open_tree("drains")?,
            meta: db.open_tree("meta")?,
            db,
        })
    }

    /// The tree aotc caches artifacts in.
    pub fn artifacts(&self) -> sled::Tree {
        self.artifacts.clone()
    }

    /// Counts this start of schedd (durably) and returns the count: 1 on the
    /// first start.
    pub fn next_boot(&self) -> Result<u32, StoreError> {
        let old = self
            .meta
            .get(b"boots")?
            .and_then(|v| <[u8; 4]>::try_from(v.as_ref()).ok())
            .map(u32::from_le_bytes)
            .unwrap_or(0);
        let boot = old.saturating_add(1);
        self.meta.insert(b"boots", &boot.to_le_bytes())?;
        self.db.flush()?;
        Ok(boot)
    }

    /// Drained nodes and why.
    pub fn load_drains(&self) -> Result<std::collections::BTreeMap<String, String>, StoreError> {
        self.drains
            .iter()
            .map(|kv| {
                let (k, v) = kv?;
                Ok((
                    String::from_utf8_lossy(&k).into_owned(),
                    String::from_utf8_lossy(&v).into_owned(),
                ))
            })
            .collect()
    }

    /// Replaces the persisted drained nodes.
    pub fn put_drains(
        &self,
        drains: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), StoreError> {
        self.drains.clear()?;
        for (k, v) in drains {
            self.drains.insert(k.as_bytes(), v.as_bytes())?;
        }
        Ok(())
    }

    /// Every persisted job, in id order.
    pub fn load_jobs(&self) -> Result<Vec<JobRecord>, StoreError> {
        self.jobs
            .iter()
            .map(|kv| {
                let (_, v) = kv?;
                Ok(serde_json::from_slice(&v)?)
            })
            .collect()
    }

    /// Writes a job record (durable after the next [`Store::flush`]).
    pub fn put_job(&self, job: &JobRecord) -> Result<(), StoreError> {
        self.jobs
            .insert(job_key(job.id), serde_json::to_vec(job)?)?;
        Ok(())
    }

    /// A function by name.
    pub fn function(&self, name: &str) -> Result<Option<FunctionRecord>, StoreError> {
        match self.functions.get(name.as_bytes())? {
            Some(v) => Ok(Some(serde_json::from_slice(&v)?)),
            None => Ok(None),
        }
    }

    /// All functions, by name.
    pub fn functions(&self) -> Result<Vec<FunctionRecord>, StoreError> {
        self.functions
            .iter()
            .map(|kv| Ok(serde_json::from_slice(&kv?.1)?))
            .collect()
    }

    /// Binds a function name to a module (stored with [`Store::put_module`]).
    pub fn put_function(&self, f: &FunctionRecord) -> Result<(), StoreError> {
        self.functions
            .insert(f.name.as_bytes(), serde_json::to_vec(f)?)?;
        Ok(())
    }

    /// Stores wasm bytes under their hash.
    pub fn put_module(&self, hash: &[u8; 32], wasm: &[u8]) -> Result<(), StoreError> {
        self.modules.insert(hash, wasm)?;
        Ok(())
    }

    /// The wasm bytes of a module.
    pub fn module(&self, hash: &[u8; 32]) -> Result<Option<sled::IVec>, StoreError> {
        Ok(self.modules.get(hash)?)
    }

    /// Makes every write so far durable.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }
}

fn job_key(id: JobId) -> [u8; 8] {
    id.to_be_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Cluster, JobRequest};

    #[test]
    fn jobs_and_functions_survive_reopening_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Cluster::new();
        let id = c
            .submit(
                JobRequest {
                    function: "f".into(),
                    ntasks: 2,
                    ..Default::default()
                },
                "abc".into(),
                5,
            )
            .unwrap();
        {
            let s = Store::open(dir.path()).unwrap();
            s.put_job(c.job(id).unwrap()).unwrap();
            s.put_function(&FunctionRecord {
                name: "f".into(),
                hash: "abc".into(),
                wasm_bytes: 1,
                artifact_bytes: 2,
                compile_ms: 3,
                cache_hit: false,
                uploaded_ms: 4,
                user: "u".into(),
            })
            .unwrap();
            s.put_module(&[7; 32], b"wasm").unwrap();
            s.flush().unwrap();
        }
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.load_jobs().unwrap(), vec![c.job(id).unwrap().clone()]);
        assert_eq!(s.function("f").unwrap().unwrap().artifact_bytes, 2);
        assert_eq!(s.module(&[7; 32]).unwrap().unwrap().as_ref(), b"wasm");
        assert!(s.function("g").unwrap().is_none());
    }
}
