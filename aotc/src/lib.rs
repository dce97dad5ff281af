//! aotc: fbatch's ahead-of-time compiler.
//!
//! Validates a wasm module, checks its imports against what noded provides (WASI
//! preview 1 and the implemented MPI functions of [`abi`]), compiles it to native code
//! with Cranelift (`Engine::precompile_module`) and caches the artifact in a sled tree
//! keyed by `sha256(wasm) || sha256(engine compatibility hash)`. A second compile of
//! the same module for the same engine is a cache hit that does no Cranelift work.
//! Each artifact carries the sha256 recorded when it was produced, checked before
//! it is ever loaded (see [`artifact`]).
//!
//! Both schedd and noded build their engines with [`engine_config`], so an artifact
//! compiled by schedd loads in noded whenever their engine hashes agree.

pub mod abi;
pub mod artifact;
mod imports;
pub mod probe;

pub use artifact::{Artifact, IntegrityError};
pub use imports::{import_problems, module_shape, signature, HostFunctions, ModuleShape};

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};
use wasmtime::{Config, Engine, Linker, Module, OptLevel, Store, Strategy};

/// Errors from compiling or loading a module; each says what is wrong with the input.
#[derive(Debug, thiserror::Error)]
pub enum AotcError {
    /// The bytes are not a valid WebAssembly module.
    #[error("not a valid WebAssembly module: {0}")]
    Invalid(String),
    /// The bytes are native code (a precompiled artifact), which fbatch never
    /// accepts from a client.
    #[error(
        "this is a precompiled native artifact (an ELF file such as a wasmtime .cwasm), \
         not a WebAssembly module: fbatch only accepts .wasm and compiles it itself"
    )]
    Precompiled,
    /// The module cannot run as an fbatch job (no `_start`, no exported memory).
    #[error("not a runnable fbatch module: {0}")]
    NotCommand(String),
    /// The module imports functions noded does not provide.
    #[error("module imports what fbatch does not provide: {}", .0.join("; "))]
    UnknownImports(Vec<String>),
    /// The artifact cache failed.
    #[error("artifact cache: {0}")]
    Cache(#[from] sled::Error),
    /// Loading an artifact into the engine failed.
    #[error("loading compiled artifact: {0}")]
    Load(String),
    /// An artifact's bytes do not match the sha256 recorded when aotc produced it.
    #[error("refusing to load the artifact: {0}")]
    Integrity(#[from] IntegrityError),
}

/// The wasmtime configuration every fbatch engine uses (schedd and noded alike).
///
/// Cranelift at `Speed`; no epoch interruption (noded stops computing ranks with
/// the loop probes of [`probe`]), multi-memory for the probe memory; the default
/// 4 GiB reservation with guard pages, so linear memories never move and bounds
/// checks are signal-based.
pub fn engine_config() -> Config {
    let mut config = Config::new();
    config
        .strategy(Strategy::Cranelift)
        .cranelift_opt_level(OptLevel::Speed)
        .epoch_interruption(false)
        .wasm_multi_memory(true)
        .memory_may_move(false)
        .memory_init_cow(false)
        .parallel_compilation(true)
        .wasm_simd(true);
    config
}

/// Builds an engine with [`engine_config`].
pub fn new_engine() -> anyhow::Result<Engine> {
    Engine::new(&engine_config()).map_err(|e| anyhow::anyhow!("creating the wasm engine: {e:#}"))
}

/// A `Hasher` feeding sha256, so the engine compatibility hash is stable across runs.
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
    }
}

/// sha256 of the engine's precompile compatibility hash.
pub fn engine_hash(engine: &Engine) -> [u8; 32] {
    let mut hasher = Sha256Hasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hasher.0.finalize().into()
}

/// sha256 of a wasm module's bytes.
pub fn module_hash(wasm: &[u8]) -> [u8; 32] {
    Sha256::digest(wasm).into()
}

/// Parses a 64-digit hex module hash.
pub fn parse_hash(hex_hash: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(hex_hash).ok()?;
    bytes.try_into().ok()
}

/// The WASI preview 1 functions wasmtime-wasi defines, with their signatures.
pub fn wasi_functions(engine: &Engine) -> HostFunctions {
    let mut linker: Linker<wasmtime_wasi::p1::WasiP1Ctx> = Linker::new(engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |cx| cx).expect("WASI p1 links");
    let mut store = Store::new(engine, wasmtime_wasi::WasiCtxBuilder::new().build_p1());
    let mut map = HostFunctions::new();
    let defs: Vec<_> = linker
        .iter(&mut store)
        .map(|(m, n, e)| (m.to_string(), n.to_string(), e))
        .collect();
    for (module, name, ext) in defs {
        if let wasmtime::ExternType::Func(ft) = ext.ty(&store) {
            map.insert((module, name), func_type_signature(&ft));
        }
    }
    map
}

/// Renders a wasmtime function type in [`abi`]'s notation.
pub fn func_type_signature(ft: &wasmtime::FuncType) -> String {
    let letter = |v: wasmtime::ValType| match v {
        wasmtime::ValType::I32 => 'i',
        wasmtime::ValType::I64 => 'I',
        wasmtime::ValType::F32 => 'f',
        wasmtime::ValType::F64 => 'F',
        wasmtime::ValType::V128 => 'v',
        wasmtime::ValType::Ref(_) => 'r',
    };
    let p: String = ft.params().map(letter).collect();
    let r: String = ft.results().map(letter).collect();
    format!("{p}:{r}")
}

/// The result of [`Compiler::compile`].
#[derive(Debug)]
pub struct Compiled {
    /// sha256 of the wasm, hex.
    pub module_hash: String,
    /// The native artifact, loadable with [`Compiler::load`].
    pub artifact: Artifact,
    /// True if the artifact came from the cache (no Cranelift work was done).
    pub cache_hit: bool,
    /// Time spent in Cranelift (zero on a cache hit).
    pub compile_time: Duration,
}

/// Compiles modules for one engine, caching artifacts in a sled tree.
pub struct Compiler {
    engine: Engine,
    engine_hash: [u8; 32],
    wasi: HostFunctions,
    cache: sled::Tree,
}

impl Compiler {
    /// A compiler for `engine` whose artifacts live in `cache`.
    pub fn new(engine: Engine, cache: sled::Tree) -> Self {
        let engine_hash = engine_hash(&engine);
        let wasi = wasi_functions(&engine);
        Compiler {
            engine,
            engine_hash,
            wasi,
            cache,
        }
    }

    /// The engine artifacts are compiled for.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// This engine's compatibility hash, hex.
    pub fn engine_hash_hex(&self) -> String {
        hex::encode(self.engine_hash)
    }

    fn key(&self, module_hash: &[u8; 32]) -> [u8; 64] {
        let mut key = [0u8; 64];
        key[..32].copy_from_slice(module_hash);
        key[32..].copy_from_slice(&self.engine_hash);
        key
    }

    /// Checks that `wasm` is a module fbatch can run: valid, a command, and importing
    /// only what noded provides. Returns its hash.
    pub fn check(&self, wasm: &[u8]) -> Result<[u8; 32], AotcError> {
        if wasm.starts_with(b"\x7fELF") {
            return Err(AotcError::Precompiled);
        }
        if !wasm.starts_with(b"\0asm") {
            return Err(AotcError::Invalid(
                "the file does not start with the wasm magic header \\0asm".into(),
            ));
        }
        let shape = module_shape(wasm).map_err(|e| {
            AotcError::Invalid(format!("{} (at byte offset {})", e.message(), e.offset()))
        })?;
        if !shape.func_exports.iter().any(|e| e == "_start") {
            return Err(AotcError::NotCommand(
                "it exports no `_start` function (compile a program with a main(), e.g. with fmpicc)"
                    .into(),
            ));
        }
        if !shape.exports_memory {
            return Err(AotcError::NotCommand(
                "it exports no linear memory named `memory`".into(),
            ));
        }
        let problems = import_problems(&shape, &self.wasi);
        if !problems.is_empty() {
            return Err(AotcError::UnknownImports(problems));
        }
        Ok(module_hash(wasm))
    }

    /// Validates, checks and compiles `wasm`, or returns the cached artifact.
    pub fn compile(&self, wasm: &[u8]) -> Result<Compiled, AotcError> {
        let hash = self.check(wasm)?;
        if let Some(artifact) = self.cached(&hash)? {
            return Ok(Compiled {
                module_hash: hex::encode(hash),
                artifact,
                cache_hit: true,
                compile_time: Duration::ZERO,
            });
        }
        let start = Instant::now();
        let instrumented = probe::instrument(wasm).map_err(AotcError::Invalid)?;
        let artifact = self
            .engine
            .precompile_module(&instrumented)
            .map_err(|e| AotcError::Invalid(format!("{e:#}")))?;
        let compile_time = start.elapsed();
        let artifact = Artifact::produced(artifact);
        self.cache.insert(self.key(&hash), artifact.to_entry())?;
        Ok(Compiled {
            module_hash: hex::encode(hash),
            artifact,
            cache_hit: false,
            compile_time,
        })
    }

    /// The cached artifact of a module for this engine, if any. An entry whose
    /// bytes do not match its recorded sha256 is logged and removed (the caller
    /// compiles or fetches the module again), never returned.
    pub fn cached(&self, module_hash: &[u8; 32]) -> Result<Option<Artifact>, AotcError> {
        let key = self.key(module_hash);
        let Some(entry) = self.cache.get(key)? else {
            return Ok(None);
        };
        match Artifact::from_entry(entry).and_then(|a| a.verify().map(|_| a)) {
            Ok(artifact) => Ok(Some(artifact)),
            Err(e) => {
                log::warn!(
                    "discarding the cached artifact of module {}: {e}",
                    hex::encode(module_hash)
                );
                self.cache.remove(key)?;
                Ok(None)
            }
        }
    }

    /// Stores an artifact produced by aotc elsewhere (schedd) for this engine,
    /// once its bytes match the sha256 recorded with them.
    pub fn store(&self, module_hash: &[u8; 32], artifact: &Artifact) -> Result<(), AotcError> {
        artifact.verify()?;
        self.cache
            .insert(self.key(module_hash), artifact.to_entry())?;
        Ok(())
    }

    /// Loads an artifact into a runnable module, after checking its bytes against
    /// the sha256 recorded when aotc produced it. The only place fbatch
    /// deserializes native code.
    pub fn load(&self, artifact: &Artifact) -> Result<Module, AotcError> {
        artifact.verify()?;
        // SAFETY: `Module::deserialize` trusts its input to be a wasmtime artifact
        // for this engine. The bytes are the ones aotc produced with
        // `precompile_module` from wasm it checked (their sha256 matches the
        // record made then, just checked above): clients can only upload wasm,
        // and artifacts are cached under keys that include this engine's hash.
        unsafe { Module::deserialize(&self.engine, artifact.bytes()) }
            .map_err(|e| AotcError::Load(format!("{e:#}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELLO: &str = r#"(module
        (memory (export "memory") 1)
        (func (export "_start")))"#;

    fn compiler() -> (Compiler, sled::Db) {
        let db = sled::Config::new().temporary(true).open().unwrap();
        let c = Compiler::new(new_engine().unwrap(), db.open_tree("artifacts").unwrap());
        (c, db)
    }

    #[test]
    fn a_tampered_cache_entry_is_recompiled_never_loaded() {
        let (c, db) = compiler();
        let wasm = wat::parse_str(HELLO).unwrap();
        let first = c.compile(&wasm).unwrap();
        assert!(!first.cache_hit);
        c.load(&first.artifact).unwrap();
        let tree = db.open_tree("artifacts").unwrap();
        let (key, entry) = tree.first().unwrap().unwrap();
        let mut bad = entry.to_vec();
        *bad.last_mut().unwrap() ^= 0x5a;
        tree.insert(&key, bad).unwrap();
        let hash = module_hash(&wasm);
        assert!(
            c.cached(&hash).unwrap().is_none(),
            "the bad entry is dropped"
        );
        assert!(tree.get(&key).unwrap().is_none());
        tree.insert(&key, [&entry[..40], b"tampered"].concat())
            .unwrap();
        let again = c.compile(&wasm).unwrap();
        assert!(!again.cache_hit, "a tampered entry means a recompile");
        assert!(c.compile(&wasm).unwrap().cache_hit);
    }

    #[test]
    fn load_refuses_bytes_that_do_not_match_their_record() {
        let (c, _db) = compiler();
        let compiled = c.compile(&wat::parse_str(HELLO).unwrap()).unwrap();
        let mut bytes = compiled.artifact.bytes().to_vec();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 1;
        let forged = Artifact::received(&bytes, compiled.artifact.recorded_sha256());
        let e = c.load(&forged).unwrap_err();
        assert!(matches!(e, AotcError::Integrity(_)), "{e}");
        assert!(c.store(&[0; 32], &forged).is_err());
    }

    #[test]
    fn a_precompiled_artifact_is_refused_as_input() {
        let (c, _db) = compiler();
        let compiled = c.compile(&wat::parse_str(HELLO).unwrap()).unwrap();
        let e = c.compile(compiled.artifact.bytes()).unwrap_err();
        assert!(matches!(e, AotcError::Precompiled), "{e}");
        assert!(e.to_string().contains("not a WebAssembly module"), "{e}");
    }
}
