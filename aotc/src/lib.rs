//! aotc: fbatch's ahead-of-time compiler.
//!
//! Validates a wasm module, checks its imports against what noded provides (WASI
//! preview 1 and the implemented MPI functions of [`abi`]), compiles it to native code
//! with Cranelift (`Engine::precompile_module`) and caches the artifact in a sled tree
//! keyed by `sha256(wasm) || sha256(engine compatibility hash)`. A second compile of
//! the same module for the same engine is a cache hit that does no Cranelift work.
//!
//! Both schedd and noded build their engines with [`engine_config`], so an artifact
//! compiled by schedd loads in noded whenever their engine hashes agree.

pub mod abi;
mod imports;
pub mod probe;

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
    pub artifact: sled::IVec,
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
        let key = self.key(&hash);
        if let Some(artifact) = self.cache.get(key)? {
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
        let artifact = sled::IVec::from(artifact);
        self.cache.insert(key, artifact.clone())?;
        Ok(Compiled {
            module_hash: hex::encode(hash),
            artifact,
            cache_hit: false,
            compile_time,
        })
    }

    /// The cached artifact of a module for this engine, if any.
    pub fn cached(&self, module_hash: &[u8; 32]) -> Result<Option<sled::IVec>, AotcError> {
        Ok(self.cache.get(self.key(module_hash))?)
    }

    /// Stores an artifact produced by aotc elsewhere (schedd) for this engine.
    pub fn store(&self, module_hash: &[u8; 32], artifact: &[u8]) -> Result<(), AotcError> {
        self.cache.insert(self.key(module_hash), artifact)?;
        Ok(())
    }

    /// Loads an artifact into a runnable module.
    ///
    /// Only pass bytes that [`Compiler::compile`] produced for an engine with this
    /// engine's hash (the cache and schedd's artifact store hold nothing else).
    pub fn load(&self, artifact: &[u8]) -> Result<Module, AotcError> {
        // SAFETY: `Module::deserialize` trusts its input to be a wasmtime artifact.
        // fbatch only ever passes artifacts that aotc itself produced with
        // `precompile_module` (schedd compiles uploaded wasm; clients cannot send
        // artifacts), stored under a key that includes this engine's hash.
        unsafe { Module::deserialize(&self.engine, artifact) }
            .map_err(|e| AotcError::Load(format!("{e:#}")))
    }
}
