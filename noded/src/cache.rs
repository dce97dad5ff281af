//! The node's module cache: loaded modules in memory, aotc artifacts in sled.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use wasmtime::{Engine, Module};

/// Loaded modules and compiled artifacts, keyed by module hash.
pub struct ModuleCache {
    compiler: aotc::Compiler,
    loaded: Mutex<HashMap<String, Module>>,
    _db: sled::Db,
}

impl ModuleCache {
    /// Opens the artifact cache under `state_dir`.
    pub fn open(state_dir: &Path, engine: Engine) -> anyhow::Result<ModuleCache> {
        let db = sled::open(state_dir.join("cache"))?;
        let compiler = aotc::Compiler::new(engine, db.open_tree("artifacts")?);
        Ok(ModuleCache {
            compiler,
            loaded: Mutex::new(HashMap::new()),
            _db: db,
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

    /// Installs an artifact schedd compiled for this engine.
    pub fn install_artifact(&self, hash: &str, artifact: &[u8]) -> anyhow::Result<Module> {
        let key = aotc::parse_hash(hash)
            .ok_or_else(|| anyhow::anyhow!("malformed module hash {hash}"))?;
        let module = self.compiler.load(artifact)?;
        self.compiler.store(&key, artifact)?;
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
