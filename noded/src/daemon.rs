//! The node daemon's control plane: registers with schedd (and again after any
//! disconnect), sends heartbeats, serves `NodeAgent` (launch, cancel), fetches
//! modules, and delivers job reports reliably: a report stays queued, and its job
//! listed as running here, until schedd has acknowledged it.

use crate::cache::ModuleCache;
use crate::job::{self, JobReport, LaunchSpec, RankLimits};
use crate::mpi::world::{JobEnd, World};
use crate::peer::{DataConn, Inbound, Registry, RemoteLink};
use crate::rank::{self, RankCtx};
use anyhow::Context;
use capnp::Error;
use fbatch_proto::key::ClusterKey;
use fbatch_proto::node_capnp::{node_agent, node_session};
use fbatch_proto::sched_capnp::{scheduler, JobState};
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use wasmtime::{Engine, InstancePre, Linker, Module};

/// noded's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// schedd address.
    pub schedd: String,
    /// Rank slots offered.
    pub slots: u32,
    /// Directory for the artifact cache.
    pub state_dir: PathBuf,
    /// Node name (unique in the cluster).
    pub name: String,
    /// Linear memory limit per rank, bytes.
    pub mem_per_rank: usize,
    /// Physical memory, bytes (reported to schedd).
    pub mem_total: u64,
    /// Where the Peer service listens.
    pub peer_listen: String,
    /// The Peer address to advertise (default: the bound address).
    pub peer_advertise: Option<String>,
    /// The cluster key: proven to schedd and to other nodes, and asked of them.
    pub key: ClusterKey,
}

enum JobSlot {
    /// Fetching the module; a cancel that arrives meanwhile is remembered.
    Starting(Option<(JobEnd, String)>),
    /// Ranks running.
    Running(Arc<World>),
    /// Ended; the report awaits schedd's acknowledgement.
    Ended,
}

struct Node {
    config: Config,
    engine: Engine,
    linker: Arc<Linker<RankCtx>>,
    cache: Arc<ModuleCache>,
    /// Modules linked against the MPI and WASI host functions, ready to
    /// instantiate: a job of an already-run function skips loading and linking.
    prepared: RefCell<HashMap<String, InstancePre<RankCtx>>>,
    jobs: RefCell<HashMap<u64, JobSlot>>,
    session: RefCell<Option<node_session::Client>>,
    pending: RefCell<VecDeque<JobReport>>,
    reports: UnboundedSender<JobReport>,
    flush: tokio::sync::Notify,
    /// This node's advertised Peer address.
    peer_addr: RefCell<String>,
    /// Connection to each other noded, by peer address (one per node pair).
    data_conns: RefCell<HashMap<String, Arc<DataConn>>>,
    /// Where messages from other nodes go (shared with the peer reader threads).
    registry: Arc<std::sync::Mutex<Registry>>,
    /// The connections other nodes opened to this one.
    inbound: Arc<Inbound>,
}

fn end_to_wire(e: JobEnd) -> JobState {
    match e {
        JobEnd::Completed => JobState::Completed,
        JobEnd::Failed => JobState::Failed,
        JobEnd::Cancelled => JobState::Cancelled,
        JobEnd::Timeout => JobState::Timeout,
        JobEnd::OutOfMemory => JobState::OutOfMemory,
        JobEnd::NodeFail => JobState::NodeFail,
    }
}

fn end_from_wire(s: JobState) -> JobEnd {
    match s {
        JobState::Timeout => JobEnd::Timeout,
        JobState::NodeFail => JobEnd::NodeFail,
        JobState::Failed => JobEnd::Failed,
        JobState::OutOfMemory => JobEnd::OutOfMemory,
        _ => JobEnd::Cancelled,
    }
}

fn text(r: capnp::Result<capnp::text::Reader<'_>>) -> Result<String, Error> {
    Ok(r?.to_string()?)
}

impl Node {
    /// The peer link of a job whose ranks span nodes (None if all are here).
    async fn link(&self, spec: &LaunchSpec) -> Result<Option<Arc<RemoteLink>>, String> {
        if spec.peers.len() <= 1 {
            return Ok(None);
        }
        let mut node_of = vec![usize::MAX; spec.world_size as usize];
        let mut outbound = Vec::with_capacity(spec.peers.len());
        for (i, (name, addr, ranks)) in spec.peers.iter().enumerate() {
            for &r in ranks {
                if let Some(slot) = node_of.get_mut(r as usize) {
                    *slot = i;
                }
            }
            if *name == self.config.name {
                outbound.push(None);
            } else if addr.is_empty() {
                return Err(format!("node {name} has no peer address"));
            } else {
                let conn = self
                    .data_conn(addr)
                    .await
                    .map_err(|e| format!("cannot reach node {name} at {addr}: {e}"))?;
                outbound.push(Some(conn));
            }
        }
        if node_of.contains(&usize::MAX) {
            return Err(format!("job {}: some ranks have no node", spec.job_id));
        }
        Ok(Some(Arc::new(RemoteLink::new(
            spec.job_id,
            node_of,
            outbound,
            self.inbound.clone(),
        ))))
    }

    /// The connection to the noded at `addr`, opened (and authenticated) if there
    /// is none or the last one failed.
    async fn data_conn(&self, addr: &str) -> anyhow::Result<Arc<DataConn>> {
        if let Some(c) = self.data_conns.borrow().get(addr) {
            if !c.is_broken() {
                return Ok(c.clone());
            }
        }
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        fbatch_proto::handshake::client(&mut stream, &self.config.key).await?;
        let stream = stream.into_std()?;
        stream.set_nonblocking(false)?;
        let conn = Arc::new(DataConn::new(addr, stream));
        self.data_conns
            .borrow_mut()
            .insert(addr.to_string(), conn.clone());
        Ok(conn)
    }

    /// Jobs with ranks or an unacknowledged report here.
    fn job_ids(&self) -> Vec<u64> {
        self.jobs.borrow().keys().copied().collect()
    }

    /// A launch failed: the job is not here, and messages that came for it (or
    /// come later) are dropped.
    fn forget(&self, id: u64) {
        self.jobs.borrow_mut().remove(&id);
        self.registry.lock().expect("registry lock").ended(id);
    }

    /// A module linked and ready to instantiate (see [`Node::module`]).
    async fn prepared(&self, hash: &str) -> anyhow::Result<InstancePre<RankCtx>> {
        if let Some(pre) = self.prepared.borrow().get(hash) {
            return Ok(pre.clone());
        }
        let module = self.module(hash).await?;
        let pre = self
            .linker
            .instantiate_pre(&module)
            .map_err(|e| anyhow::anyhow!("cannot link the module: {e:#}"))?;
        self.prepared
            .borrow_mut()
            .insert(hash.to_string(), pre.clone());
        Ok(pre)
    }

    /// Finds a module: memory, local artifact cache, or schedd.
    async fn module(&self, hash: &str) -> anyhow::Result<Module> {
        let (cache, h) = (self.cache.clone(), hash.to_string());
        // Loading from disk may block: off the RPC thread.
        if let Some(m) = tokio::task::spawn_blocking(move || cache.local(&h)).await?? {
            return Ok(m);
        }
        let session = self
            .session
            .borrow()
            .clone()
            .context("not registered with schedd")?;
        let mut req = session.fetch_module_request();
        req.get().set_hash(hash);
        let reply = req
            .send()
            .promise
            .await
            .map_err(|e| anyhow::anyhow!(fbatch_proto::rpc::error_text(&e)))?;
        let r = reply.get()?;
        let artifact = match r.get_artifact()? {
            [] => None,
            bytes => {
                let sha: [u8; 32] = r.get_artifact_sha256()?.try_into().map_err(|_| {
                    anyhow::anyhow!("schedd sent an artifact without its sha256 record")
                })?;
                Some(aotc::Artifact::received(bytes, sha))
            }
        };
        let wasm = r.get_wasm()?.to_vec();
        let (cache, h) = (self.cache.clone(), hash.to_string());
        tokio::task::spawn_blocking(move || match artifact {
            Some(artifact) => cache.install_artifact(&h, &artifact),
            None => cache.compile(&h, &wasm),
        })
        .await?
    }

    /// Sends queued reports while schedd acknowledges them.
    async fn send_reports(&self) {
        let Some(session) = self.session.borrow().clone() else {
            return;
        };
        // Every pending report at once: schedd acknowledges each after a flush,
        // and concurrent reports share flushes (group commit).
        let batch: Vec<JobReport> = self.pending.borrow().iter().cloned().collect();
        let calls = batch.iter().map(|rep| {
            let mut req = session.job_ended_request();
            {
                let mut r = req.get().init_report();
                r.set_job_id(rep.job_id);
                r.set_outcome(end_to_wire(rep.end));
                r.set_exit_code(rep.exit_code);
                r.set_reason(&rep.reason);
                r.set_max_mem_bytes(rep.max_mem_bytes);
                r.set_signal(rep.signal);
                let mut mem = r.init_rank_mem(rep.rank_mem.len() as u32);
                for (i, (rank, bytes)) in rep.rank_mem.iter().enumerate() {
                    let mut m = mem.reborrow().get(i as u32);
                    m.set_rank(*rank);
                    m.set_bytes(*bytes);
                }
            }
            req.send().promise
        });
        let results = futures::future::join_all(calls).await;
        for (rep, result) in batch.iter().zip(results) {
            match result {
                Ok(_) => {
                    self.pending.borrow_mut().retain(|p| p.job_id != rep.job_id);
                    self.jobs.borrow_mut().remove(&rep.job_id);
                    self.registry
                        .lock()
                        .expect("registry lock")
                        .ended(rep.job_id);
                }
                Err(e) => log::warn!(
                    "reporting job {}: {}",
                    rep.job_id,
                    fbatch_proto::rpc::error_text(&e)
                ),
            }
        }
    }

    /// Registers with schedd, then heartbeats until the connection fails.
    async fn session(self: Rc<Self>) -> anyhow::Result<()> {
        let (sched, conn) =
            fbatch_proto::rpc::connect::<scheduler::Client>(&self.config.schedd, &self.config.key)
                .await
                .with_context(|| format!("connecting to schedd at {}", self.config.schedd))?;
        let agent: node_agent::Client = capnp_rpc::new_client(Agent { node: self.clone() });
        let mut req = sched.register_node_request();
        {
            let mut reg = req.get().init_registration();
            reg.set_name(&self.config.name);
            reg.set_slots(self.config.slots);
            reg.set_engine_hash(self.cache.engine_hash());
            reg.set_mem_bytes(self.config.mem_total);
            reg.set_peer_addr(self.peer_addr.borrow().as_str());
            let ids = self.job_ids();
            let mut list = reg.init_running_jobs(ids.len() as u32);
            for (i, id) in ids.iter().enumerate() {
                list.set(i as u32, *id);
            }
        }
        req.get().set_agent(agent);
        let reply = req.send().promise.await.map_err(|e| {
            anyhow::anyhow!(
                "registration refused: {}",
                fbatch_proto::rpc::error_text(&e)
            )
        })?;
        let session = reply.get()?.get_session()?;
        let period = Duration::from_millis(reply.get()?.get_heartbeat_ms().max(20) as u64);
        *self.session.borrow_mut() = Some(session.clone());
        log::info!(
            "registered with schedd at {} as {} ({} slots)",
            self.config.schedd,
            self.config.name,
            self.config.slots
        );
        self.flush.notify_one();
        let this = self.clone();
        let heartbeats = async move {
            loop {
                tokio::time::sleep(period).await;
                let mut req = session.heartbeat_request();
                let ids = this.job_ids();
                let mut list = req.get().init_running_jobs(ids.len() as u32);
                for (i, id) in ids.iter().enumerate() {
                    list.set(i as u32, *id);
                }
                if let Err(e) = req.send().promise.await {
                    return anyhow::Result::<()>::Err(anyhow::anyhow!(
                        "heartbeat failed: {}",
                        fbatch_proto::rpc::error_text(&e)
                    ));
                }
            }
        };
        tokio::select! {
            r = heartbeats => r,
            _ = conn => Err(anyhow::anyhow!("connection to schedd closed")),
        }
    }
}

/// Reads finished-job reports from the supervisors and forwards them.
async fn report_loop(node: Rc<Node>, mut rx: UnboundedReceiver<JobReport>) {
    loop {
        tokio::select! {
            r = rx.recv() => match r {
                Some(rep) => {
                    // This report and any others that are already waiting.
                    let mut next = Some(rep);
                    while let Some(rep) = next {
                        if let Some(slot) = node.jobs.borrow_mut().get_mut(&rep.job_id) {
                            *slot = JobSlot::Ended;
                        }
                        node.pending.borrow_mut().push_back(rep);
                        next = rx.try_recv().ok();
                    }
                }
                None => return,
            },
            _ = node.flush.notified() => {}
        }
        node.send_reports().await;
    }
}

/// What schedd calls on this node.
struct Agent {
    node: Rc<Node>,
}

impl Agent {
    fn spec(l: fbatch_proto::node_capnp::launch::Reader<'_>) -> Result<LaunchSpec, Error> {
        let mut env = Vec::new();
        for kv in l.get_env()? {
            env.push((text(kv.get_key())?, text(kv.get_value())?));
        }
        let mut peers = Vec::new();
        for p in l.get_peers()? {
            peers.push((
                text(p.get_node())?,
                text(p.get_addr())?,
                p.get_ranks()?.iter().collect::<Vec<u32>>(),
            ));
        }
        Ok(LaunchSpec {
            peers,
            mem_per_rank: match l.get_mem_per_rank_mib() {
                0 => None,
                m => Some((m as usize) << 20),
            },
            job_id: l.get_job_id(),
            user_job_id: match l.get_user_job_id() {
                0 => l.get_job_id(),
                id => id,
            },
            step_id: l.get_step_id(),
            function: text(l.get_function())?,
            module_hash: text(l.get_module_hash())?,
            args: l
                .get_args()?
                .iter()
                .map(|a| Ok(a?.to_string()?))
                .collect::<Result<_, Error>>()?,
            env,
            world_size: l.get_world_size(),
            ranks: l.get_ranks()?.iter().collect(),
            output_path: text(l.get_output_path())?,
            create_output: l.get_create_output(),
            time_limit: match l.get_time_limit_secs() {
                0 => None,
                s => Some(Duration::from_secs(s as u64)),
            },
        })
    }
}

impl node_agent::Server for Agent {
    async fn launch(
        self: Rc<Self>,
        params: node_agent::LaunchParams,
        _: node_agent::LaunchResults,
    ) -> Result<(), Error> {
        let spec = Agent::spec(params.get()?.get_launch()?)?;
        let id = spec.job_id;
        let node = &self.node;
        if spec.ranks.is_empty() || spec.ranks.iter().any(|r| *r >= spec.world_size) {
            return Err(Error::failed(format!("job {id}: invalid rank list")));
        }
        if node.jobs.borrow().contains_key(&id) {
            return Err(Error::failed(format!(
                "job {id} is already running on {}",
                node.config.name
            )));
        }
        node.jobs.borrow_mut().insert(id, JobSlot::Starting(None));
        let module = match node.prepared(&spec.module_hash).await {
            Ok(m) => m,
            Err(e) => {
                node.forget(id);
                return Err(Error::failed(format!(
                    "cannot load module {}: {e:#}",
                    spec.module_hash
                )));
            }
        };
        let reports = node.reports.clone();
        let limits = RankLimits {
            mem_per_rank: node.config.mem_per_rank,
        };
        let link = match node.link(&spec).await {
            Ok(l) => l,
            Err(e) => {
                node.forget(id);
                return Err(Error::failed(e));
            }
        };
        let started = job::start(
            spec,
            &node.config.name,
            &node.engine,
            &module,
            limits,
            link,
            move |rep| {
                let _ = reports.send(rep);
            },
        );
        match started {
            Ok(world) => {
                let early_stop = match node
                    .jobs
                    .borrow_mut()
                    .insert(id, JobSlot::Running(world.clone()))
                {
                    Some(JobSlot::Starting(stop)) => stop,
                    _ => None,
                };
                if let Some((end, reason)) = early_stop {
                    world.stop(end, reason);
                }
                node.registry
                    .lock()
                    .expect("registry lock")
                    .started(id, world.clone());
                log::info!("job {id}: started");
                Ok(())
            }
            Err(e) => {
                node.forget(id);
                Err(Error::failed(e))
            }
        }
    }

    async fn cancel(
        self: Rc<Self>,
        params: node_agent::CancelParams,
        _: node_agent::CancelResults,
    ) -> Result<(), Error> {
        let p = params.get()?;
        let id = p.get_job_id();
        let end = end_from_wire(p.get_state()?);
        let reason = text(p.get_reason())?;
        let mut jobs = self.node.jobs.borrow_mut();
        match jobs.get_mut(&id) {
            Some(JobSlot::Running(world)) => {
                log::info!("job {id}: stopping ({reason})");
                world.stop(end, reason);
            }
            Some(JobSlot::Starting(stop)) => *stop = Some((end, reason)),
            _ => {}
        }
        if !matches!(jobs.get(&id), Some(JobSlot::Running(_))) {
            // Not started here: drop what came for it, and what comes later.
            self.node.registry.lock().expect("registry lock").ended(id);
        }
        Ok(())
    }
}

/// Runs noded until the process is killed.
pub fn run(config: Config) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.state_dir)
        .with_context(|| format!("creating state dir {}", config.state_dir.display()))?;
    let engine = aotc::new_engine()?;
    let cache = Arc::new(ModuleCache::open(&config.state_dir, engine.clone())?);
    let linker = Arc::new(rank::linker(&engine).map_err(|e| anyhow::anyhow!("{e:#}"))?);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async move {
        let (tx, rx) = unbounded_channel();
        let node = Rc::new(Node {
            config,
            engine,
            linker,
            prepared: RefCell::new(HashMap::new()),
            cache,
            jobs: RefCell::new(HashMap::new()),
            session: RefCell::new(None),
            pending: RefCell::new(VecDeque::new()),
            reports: tx,
            flush: tokio::sync::Notify::new(),
            peer_addr: RefCell::new(String::new()),
            data_conns: RefCell::new(HashMap::new()),
            registry: Arc::new(std::sync::Mutex::new(Registry::default())),
            inbound: Arc::new(Inbound::default()),
        });
        let listener = tokio::net::TcpListener::bind(&node.config.peer_listen)
            .await
            .with_context(|| format!("binding the peer service to {}", node.config.peer_listen))?;
        let bound = listener.local_addr()?.to_string();
        *node.peer_addr.borrow_mut() = node.config.peer_advertise.clone().unwrap_or(bound);
        log::info!("peer service on {}", node.peer_addr.borrow());
        tokio::task::spawn_local(peer_service(node.clone(), listener));
        tokio::task::spawn_local(report_loop(node.clone(), rx));
        let mut backoff = Duration::from_millis(100);
        #[allow(unreachable_code)]
        loop {
            let started = std::time::Instant::now();
            if let Err(e) = node.clone().session().await {
                log::warn!("{e:#}; reconnecting");
            }
            *node.session.borrow_mut() = None;
            if started.elapsed() > Duration::from_secs(5) {
                backoff = Duration::from_millis(100);
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(2));
        }
    })
}

/// Accepts connections from other noded processes: each proves it holds the
/// cluster key, then its frames are read on a thread of their own.
async fn peer_service(node: Rc<Node>, listener: tokio::net::TcpListener) {
    loop {
        match listener.accept().await {
            Ok((mut stream, from)) => {
                let (key, registry) = (node.config.key.clone(), node.registry.clone());
                let inbound = node.inbound.clone();
                tokio::task::spawn_local(async move {
                    let _ = stream.set_nodelay(true);
                    match fbatch_proto::handshake::server(&mut stream, &key).await {
                        Ok(()) => {}
                        Err(fbatch_proto::handshake::HandshakeError::Closed) => {
                            log::debug!("peer connection from {from} closed before the handshake");
                            return;
                        }
                        Err(e) => {
                            log::warn!("refused peer connection from {from}: {e}");
                            return;
                        }
                    }
                    match stream.into_std().and_then(|s| {
                        s.set_nonblocking(false)?;
                        Ok(s)
                    }) {
                        Ok(s) => crate::peer::serve(s, registry, inbound),
                        Err(e) => log::warn!("peer connection from {from}: {e}"),
                    }
                });
            }
            Err(e) => {
                log::warn!("peer service accept: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}
