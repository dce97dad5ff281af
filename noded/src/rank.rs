//! One rank: a wasm instance in its own `Store`, with WASI (args, env, output) and
//! the MPI host functions, run to completion on its own thread.

use crate::mpi::error::RankExit;
use crate::mpi::rank::{MpiRank, Phase};
use crate::mpi::world::World;
use crate::output::RankOutput;
use std::sync::Arc;
use wasmtime::{Engine, InstancePre, Linker, Memory, ResourceLimiter, Store};
use wasmtime_wasi::p1::WasiP1Ctx;

/// Enforces a rank's memory limit and remembers its peak and any refusal.
#[derive(Debug, Clone)]
pub struct MemLimiter {
    /// Most bytes a rank's linear memory may have.
    pub limit: usize,
    /// Largest size reached.
    pub peak: usize,
    /// Whether a `memory.grow` was refused because of the limit.
    pub refused: bool,
    /// The exported memory's base address and size as MPI calls last read
    /// them; cleared whenever a memory grows, so the next call reads them anew.
    /// The base never changes (memories are reserved whole and never move) and
    /// memories never shrink, so a size read earlier only ever understates
    /// what is there.
    pub view: Option<(usize, usize)>,
}

impl MemLimiter {
    /// A limiter allowing `limit` bytes.
    pub fn new(limit: usize) -> MemLimiter {
        MemLimiter {
            limit,
            peak: 0,
            refused: false,
            view: None,
        }
    }
}

impl ResourceLimiter for MemLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit {
            self.refused = true;
            return Ok(false);
        }
        self.peak = self.peak.max(desired);
        self.view = None;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1 << 20)
    }
}

/// Everything a rank's `Store` holds.
pub struct RankCtx {
    /// WASI preview 1 state.
    pub wasi: WasiP1Ctx,
    /// MPI state.
    pub mpi: MpiRank,
    /// The instance's exported memory (set after instantiation).
    pub memory: Option<Memory>,
    /// Memory accounting, and the memory view MPI calls use.
    pub limiter: MemLimiter,
    /// Guest address of the predefined attribute values (MPI_Comm_get_attr).
    pub attr_area: Option<u32>,
}

/// The linker every job on a node instantiates against: WASI p1 and MPI.
pub fn linker(engine: &Engine) -> wasmtime::Result<Linker<RankCtx>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |c: &mut RankCtx| &mut c.wasi)?;
    crate::mpi::host::add_to_linker(&mut linker)?;
    Ok(linker)
}

/// A store with an empty context (for tests that inspect the linker).
#[doc(hidden)]
pub fn test_store(engine: &Engine) -> Store<RankCtx> {
    let world = Arc::new(World::new(0, 1, &[0], "test", None));
    Store::new(
        engine,
        RankCtx {
            wasi: wasmtime_wasi::WasiCtxBuilder::new().build_p1(),
            mpi: MpiRank::new(world, 0),
            memory: None,
            limiter: MemLimiter::new(1 << 20),
            attr_area: None,
        },
    )
}

/// What a rank needs to start.
pub struct RankSetup {
    /// The job's world on this node.
    pub world: Arc<World>,
    /// World rank.
    pub rank: u32,
    /// argv (argv[0] is the function name).
    pub argv: Vec<String>,
    /// Environment variables.
    pub env: Vec<(String, String)>,
    /// The job's output file (O_APPEND), shared by its ranks.
    pub output: Arc<std::fs::File>,
    /// Linear memory limit in bytes.
    pub mem_limit: usize,
}

/// How a rank ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RankEnd {
    /// `_start` returned or called `proc_exit(code)`.
    Exited(i32),
    /// Unwound because the job was stopped.
    Stopped,
    /// Failed: a trap, a fatal MPI error, MPI_Abort, or exit without MPI_Finalize.
    Failed {
        /// Exit code to record.
        code: i32,
        /// Signal-like cause for Slurm's `exit:signal` (traps: SIGSEGV for
        /// out-of-bounds accesses, SIGFPE for arithmetic, SIGABRT for
        /// `unreachable`, which is what C's abort() compiles to), 0 otherwise.
        signal: u32,
        /// What happened, naming the call or trap.
        reason: String,
    },
}

/// The result of running a rank.
pub struct RankResult {
    /// World rank.
    pub rank: u32,
    /// How it ended.
    pub end: RankEnd,
    /// Whether its memory limit refused a grow.
    pub hit_mem_limit: bool,
    /// Peak linear memory size.
    pub peak_mem: usize,
    /// The store, kept alive until every local rank of the job is done, because
    /// other ranks may still hold pointers into its linear memory.
    pub store: Option<Store<RankCtx>>,
}

/// Runs one rank to completion on the calling thread.
pub fn run(engine: &Engine, pre: &InstancePre<RankCtx>, setup: RankSetup) -> RankResult {
    let pin = (!setup.world.spans_nodes()).then(|| setup.world.local_ranks());
    let _running = crate::mpi::transport::RankRunning::start(pin);
    let rank = setup.rank;
    setup
        .world
        .mailbox(rank)
        .expect("local rank has a mailbox")
        .set_owner(std::thread::current());
    let stdout = RankOutput::new(setup.output.clone());
    let stderr = RankOutput::new(setup.output);
    let mut builder = wasmtime_wasi::WasiCtxBuilder::new();
    builder
        .args(&setup.argv)
        .envs(&setup.env)
        .stdout(stdout.clone())
        .stderr(stderr.clone());
    let ctx = RankCtx {
        wasi: builder.build_p1(),
        mpi: MpiRank::new(setup.world.clone(), rank),
        memory: None,
        limiter: MemLimiter::new(setup.mem_limit),
        attr_area: None,
    };
    let mut store = Store::new(engine, ctx);
    store.limiter(|c| &mut c.limiter);
    let end = match pre.instantiate(&mut store) {
        Err(e) => RankEnd::Failed {
            signal: 0,
            code: 1,
            reason: format!("cannot instantiate the module: {e:#}"),
        },
        Ok(instance) => {
            if let Some(probe) = instance.get_memory(&mut store, aotc::probe::PROBE_EXPORT) {
                // SAFETY: the probe memory lives as long as the store, which the
                // job supervisor keeps until after `forget_probes`.
                unsafe { setup.world.add_probe(probe.data_ptr(&store)) };
            }
            let memory = instance.get_memory(&mut store, "memory");
            store.data_mut().memory = memory;
            if let Some(m) = memory {
                setup.world.set_mem_base(rank, m.data_ptr(&store));
            }
            if let Some(m) = memory {
                let size = m.data_size(&store);
                store.data_mut().limiter.peak = size;
            }
            match instance.get_typed_func::<(), ()>(&mut store, "_start") {
                Err(e) => RankEnd::Failed {
                    signal: 0,
                    code: 1,
                    reason: format!("no usable _start: {e:#}"),
                },
                Ok(start) => {
                    let r = start.call(&mut store, ());
                    classify(r, store.data())
                }
            }
        }
    };
    stdout.finish();
    stderr.finish();
    let limiter = &store.data().limiter;
    RankResult {
        rank,
        end,
        hit_mem_limit: limiter.refused,
        peak_mem: limiter.peak,
        store: Some(store),
    }
}

/// Turns `_start`'s outcome into a [`RankEnd`].
fn classify(r: wasmtime::Result<()>, ctx: &RankCtx) -> RankEnd {
    let code = match r {
        Ok(()) => 0,
        Err(e) => {
            if let Some(exit) = e.downcast_ref::<wasmtime_wasi::I32Exit>() {
                exit.0
            } else if let Some(x) = e.downcast_ref::<RankExit>() {
                return match x {
                    RankExit::Stopped => RankEnd::Stopped,
                    RankExit::Fatal { class, msg } => RankEnd::Failed {
                        signal: 0,
                        code: *class,
                        reason: msg.clone(),
                    },
                    RankExit::Abort { code, msg } => RankEnd::Failed {
                        signal: 0,
                        code: *code,
                        reason: msg.clone(),
                    },
                };
            } else if ctx.mpi.world.is_stopped() && e.downcast_ref::<wasmtime::Trap>().is_some() {
                // The revoked probe page (or anything else while stopping).
                return RankEnd::Stopped;
            } else {
                return RankEnd::Failed {
                    signal: trap_signal(&e),
                    code: 1,
                    reason: describe_trap(&e),
                };
            }
        }
    };
    if ctx.mpi.phase == Phase::Initialized {
        return RankEnd::Failed {
            signal: 0,
            code: if code == 0 { 1 } else { code },
            reason: format!("exited with code {code} without calling MPI_Finalize"),
        };
    }
    RankEnd::Exited(code)
}

/// "wasm trap: integer divide by zero (in main)".
fn describe_trap(e: &wasmtime::Error) -> String {
    let what = match e.downcast_ref::<wasmtime::Trap>() {
        Some(t) => t.to_string(),
        None => format!("{e}"),
    };
    let place = e.downcast_ref::<wasmtime::WasmBacktrace>().and_then(|bt| {
        bt.frames()
            .iter()
            .find_map(|f| f.func_name().map(str::to_string))
    });
    match place {
        Some(f) => format!("{what} (in {f})"),
        None => what,
    }
}

/// The POSIX signal a native process would have died of for this trap.
fn trap_signal(e: &wasmtime::Error) -> u32 {
    use wasmtime::Trap;
    match e.downcast_ref::<Trap>() {
        Some(
            Trap::MemoryOutOfBounds
            | Trap::TableOutOfBounds
            | Trap::HeapMisaligned
            | Trap::StackOverflow
            | Trap::IndirectCallToNull,
        ) => libc::SIGSEGV as u32,
        Some(
            Trap::IntegerDivisionByZero | Trap::IntegerOverflow | Trap::BadConversionToInteger,
        ) => libc::SIGFPE as u32,
        Some(Trap::UnreachableCodeReached) => libc::SIGABRT as u32,
        Some(_) => libc::SIGILL as u32,
        None => 0,
    }
}
