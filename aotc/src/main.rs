//! `aotc`: compile a wasm module ahead of time the way fbatch does, and report it.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "aotc",
    about = "fbatch ahead-of-time compiler (Cranelift via wasmtime)"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Validate, check imports, compile IN.wasm and cache the artifact.
    Compile {
        /// The wasm module.
        input: PathBuf,
        /// Cache directory (sled); default $XDG_CACHE_HOME/fbatch/aotc.
        #[arg(long)]
        cache: Option<PathBuf>,
        /// Also write the native artifact here.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// List the MPI functions fbatch implements, with their wasm signatures.
    Abi,
}

fn default_cache() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    base.join("fbatch").join("aotc")
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().cmd {
        Cmd::Abi => {
            for f in aotc::abi::MPI_FUNCTIONS {
                println!("{:<32} {}", f.name, f.sig);
            }
            Ok(())
        }
        Cmd::Compile {
            input,
            cache,
            output,
        } => {
            let wasm =
                std::fs::read(&input).with_context(|| format!("reading {}", input.display()))?;
            let cache_dir = cache.unwrap_or_else(default_cache);
            let db = sled::open(&cache_dir)
                .with_context(|| format!("opening cache {}", cache_dir.display()))?;
            let compiler = aotc::Compiler::new(aotc::new_engine()?, db.open_tree("artifacts")?);
            let compiled = match compiler.compile(&wasm) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("aotc: error: {}: {e}", input.display());
                    std::process::exit(1);
                }
            };
            let load_start = Instant::now();
            compiler.load(&compiled.artifact)?;
            let load = load_start.elapsed();
            println!("module   {}", compiled.module_hash);
            println!("engine   {}", compiler.engine_hash_hex());
            println!(
                "cache    {}",
                if compiled.cache_hit { "hit" } else { "miss" }
            );
            println!(
                "compile  {:.3} ms",
                compiled.compile_time.as_secs_f64() * 1e3
            );
            println!("load     {:.3} ms", load.as_secs_f64() * 1e3);
            println!("artifact {} bytes", compiled.artifact.len());
            if let Some(out) = output {
                std::fs::write(&out, compiled.artifact.bytes())
                    .with_context(|| format!("writing {}", out.display()))?;
            }
            db.flush()?;
            Ok(())
        }
    }
}
