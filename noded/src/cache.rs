//! The node's module cache: loaded modules in memory, aotc artifacts in sled.
//! Artifacts are checked against the sha256 aotc recorded when it produced them
//! before they are loaded or stored (see aotc's `artifact`); a cache entry that
//! fails the check is dropped and the module fetched again.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use wasmtime::{Engine, Module};

/// Loaded modules and compiled artifacts, keyed by module hash.
pub struct ModuleCache {
    compiler: aotc::Compiler,
    loaded: Mutex<HashMap<String, Module>>,
    db: sled::Db,
}

impl ModuleCache {
    /// Opens the artifact cache under `state_dir`. New artifacts are flushed
    /// before they are used, so a restarted noded (even after `kill -9`) finds them.
    pub fn open(state_dir: &Path, engine: Engine) -> anyhow::Result<ModuleCache> {
        let db = sled::open(state_dir.join("cache"))?;
        let compiler = aotc::Compiler::new(engine, db.open_tree("artifacts")?);
        Ok(ModuleCache {
            compiler,
            loaded: Mutex::new(HashMap::new()),
            db,
        })
    }

    /// This engine's compatibility hash (hex).
    pub fn engine_hash(&self) -> String {
        self.compiler.engine_hash_hex()
    }

    /// A module already loaded or cached locally.
    pub fn local(&self, hash: &str) -> anyhow::Result<Option<Module>> {
        if let Some(m) = self.loaded.lock().expect("cache lock").get(hash) {
            return Ok(Some(m.clone()));
        }
        let key = aotc::parse_hash(hash)
            .ok_or_else(|| anyhow::anyhow!("malformed module hash {hash}"))?;
        match self.compiler.cached(&key)? {
            Some(artifact) => Ok(Some(self.remember(hash, self.compiler.load(&artifact)?))),
            None => Ok(None),
        }
    }

    /// Installs an artifact schedd compiled for this engine (loaded and stored
    /// only if its bytes match the sha256 recorded with them).
    pub fn install_artifact(
        &self,
        hash: &str,
        artifact: &aotc::Artifact,
    ) -> anyhow::Result<Module> {
        let key = aotc::parse_hash(hash)
            .ok_or_else(|| anyhow::anyhow!("malformed module hash {hash}"))?;
        let module = self
            .compiler
            .load(artifact)
            .map_err(|e| anyhow::anyhow!("artifact from schedd for module {hash}: {e}"))?;
        self.compiler.store(&key, artifact)?;
        self.db.flush()?;
        Ok(self.remember(hash, module))
    }

    /// Compiles wasm here (schedd had no artifact for this engine).
    pub fn compile(&self, hash: &str, wasm: &[u8]) -> anyhow::Result<Module> {
        let compiled = self.compiler.compile(wasm)?;
        anyhow::ensure!(
            compiled.module_hash == hash,
            "module bytes do not match hash {hash}"
        );
        let module = self.compiler.load(&compiled.artifact)?;
        if !compiled.cache_hit {
            self.db.flush()?;
        }
        Ok(self.remember(hash, module))
    }

    fn remember(&self, hash: &str, m: Module) -> Module {
        self.loaded
            .lock()
            .expect("cache lock")
            .insert(hash.to_string(), m.clone());
        m
    }
}
