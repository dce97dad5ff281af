//! The node daemon's control plane: registers with schedd (and again after any
//! disconnect), sends heartbeats, serves `NodeAgent` (launch, cancel), fetches
//! modules, and delivers job reports reliably: a report stays queued, and its job
//! listed as running here, until schedd has acknowledged it.

use crate::cache::ModuleCache;
use crate::job::{self, JobReport, LaunchSpec, RankLimits};
use crate::mpi::world::{JobEnd, World};
use crate::peer::{RemoteLink, Wire};
use crate::rank::{self, RankCtx};
use anyhow::Context;
use capnp::Error;
use fbatch_proto::key::ClusterKey;
use fbatch_proto::node_capnp::{node_agent, node_session, peer};
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
    /// Outgoing message queue per peer address (one connection per node pair).
    peer_queues: RefCell<HashMap<String, UnboundedSender<Wire>>>,
    /// Messages for jobs that have not started here yet.
    early: RefCell<HashMap<u64, Vec<Wire>>>,
    /// Jobs that ended here recently: late messages for them are dropped rather
    /// than buffered as if the job had not started yet.
    ended: RefCell<VecDeque<u64>>,
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
    fn link(&self, spec: &LaunchSpec) -> Result<Option<Arc<RemoteLink>>, String> {
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
                outbound.push(Some(self.peer_queue(addr)));
            }
        }
        if node_of.contains(&usize::MAX) {
            return Err(format!("job {}: some ranks have no node", spec.job_id));
        }
        Ok(Some(Arc::new(RemoteLink::new(
            spec.job_id,
            node_of,
            outbound,
        ))))
    }

    /// The outgoing queue to the noded at `addr`, starting its sender task.
    fn peer_queue(&self, addr: &str) -> UnboundedSender<Wire> {
        if let Some(q) = self.peer_queues.borrow().get(addr) {
            if !q.is_closed() {
                return q.clone();
            }
        }
        let (tx, rx) = unbounded_channel();
        tokio::task::spawn_local(peer_sender(addr.to_string(), self.config.key.clone(), rx));
        self.peer_queues
            .borrow_mut()
            .insert(addr.to_string(), tx.clone());
        tx
    }

    /// Jobs with ranks or an unacknowledged report here.
    fn job_ids(&self) -> Vec<u64> {
        self.jobs.borrow().keys().copied().collect()
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
        loop {
            let Some(rep) = self.pending.borrow().front().cloned() else {
                return;
            };
            let Some(session) = self.session.borrow().clone() else {
                return;
            };
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
            match req.send().promise.await {
                Ok(_) => {
                    self.pending.borrow_mut().pop_front();
                    self.jobs.borrow_mut().remove(&rep.job_id);
                    self.early.borrow_mut().remove(&rep.job_id);
                    let mut ended = self.ended.borrow_mut();
                    ended.push_back(rep.job_id);
                    if ended.len() > 4096 {
                        ended.pop_front();
                    }
                }
                Err(e) => {
                    log::warn!(
                        "reporting job {}: {}",
                        rep.job_id,
                        fbatch_proto::rpc::error_text(&e)
                    );
                    return;
                }
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
                    if let Some(slot) = node.jobs.borrow_mut().get_mut(&rep.job_id) {
                        *slot = JobSlot::Ended;
                    }
                    node.pending.borrow_mut().push_back(rep);
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
                node.jobs.borrow_mut().remove(&id);
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
        let link = match node.link(&spec) {
            Ok(l) => l,
            Err(e) => {
                node.jobs.borrow_mut().remove(&id);
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
                for w in node.early.borrow_mut().remove(&id).unwrap_or_default() {
                    world.receive_remote(w);
                }
                log::info!("job {id}: started");
                Ok(())
            }
            Err(e) => {
                node.jobs.borrow_mut().remove(&id);
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
        self.node.early.borrow_mut().remove(&id);
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
            peer_queues: RefCell::new(HashMap::new()),
            early: RefCell::new(HashMap::new()),
            ended: RefCell::new(VecDeque::new()),
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

/// Most bytes of payload batched into one `deliver` call.
const BATCH_BYTES: usize = 4 << 20;

/// Owns the connection to one other noded: sends queued messages in order,
/// batching what has accumulated, with up to [`IN_FLIGHT`] calls outstanding
/// (Cap'n Proto delivers calls on one capability in the order they were made).
async fn peer_sender(addr: String, key: ClusterKey, mut rx: UnboundedReceiver<Wire>) {
    let slots = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let broken = Rc::new(std::cell::Cell::new(false));
    let mut client: Option<peer::Client> = None;
    while let Some(first) = rx.recv().await {
        if broken.replace(false) {
            client = None;
        }
        let mut batch = vec![first];
        let mut bytes = batch[0].data.len();
        while bytes < BATCH_BYTES {
            match rx.try_recv() {
                Ok(w) => {
                    bytes += w.data.len();
                    batch.push(w);
                }
                Err(_) => break,
            }
        }
        let mut attempt = 0;
        while client.is_none() && attempt < 5 {
            match fbatch_proto::rpc::connect::<peer::Client>(&addr, &key).await {
                Ok((c, _conn)) => client = Some(c),
                Err(e) => {
                    log::warn!("connecting to peer {addr}: {e}");
                    tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
                    attempt += 1;
                }
            }
        }
        let Some(c) = client.clone() else {
            log::error!(
                "dropping {} messages for unreachable peer {addr}",
                batch.len()
            );
            continue;
        };
        let mut req = c.deliver_request();
        {
            let mut list = req.get().init_msgs(batch.len() as u32);
            for (i, w) in batch.iter().enumerate() {
                let mut m = list.reborrow().get(i as u32);
                m.set_job_id(w.job_id);
                m.set_dst(w.dst);
                m.set_src_world(w.src_world);
                m.set_ctx(w.ctx);
                m.set_src(w.src);
                m.set_tag(w.tag);
                m.set_data(&w.data);
                m.set_more(w.more);
                m.set_sync_id(w.sync_id);
                m.set_ack_for(w.ack_for);
                m.set_rma(w.rma);
            }
        }
        let permit = slots.clone().acquire_owned().await.expect("never closed");
        let promise = req.send().promise;
        let (addr, n, broken) = (addr.clone(), batch.len(), broken.clone());
        tokio::task::spawn_local(async move {
            if let Err(e) = promise.await {
                log::warn!(
                    "sending {n} messages to peer {addr}: {}",
                    fbatch_proto::rpc::error_text(&e)
                );
                broken.set(true);
            }
            drop(permit);
        });
    }
}

/// Calls to one peer that may be outstanding at once.
const IN_FLIGHT: usize = 16;

/// Accepts connections from other noded processes and serves `Peer` on each.
async fn peer_service(node: Rc<Node>, listener: tokio::net::TcpListener) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let svc: peer::Client = capnp_rpc::new_client(PeerService { node: node.clone() });
                fbatch_proto::rpc::serve(stream, &node.config.key, svc.client);
            }
            Err(e) => {
                log::warn!("peer service accept: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// What other noded processes call on this one.
struct PeerService {
    node: Rc<Node>,
}

impl peer::Server for PeerService {
    async fn deliver(
        self: Rc<Self>,
        params: peer::DeliverParams,
        _: peer::DeliverResults,
    ) -> Result<(), Error> {
        let msgs = params.get()?.get_msgs()?;
        for m in msgs.iter() {
            let w = Wire {
                job_id: m.get_job_id(),
                dst: m.get_dst(),
                src_world: m.get_src_world(),
                ctx: m.get_ctx(),
                src: m.get_src(),
                tag: m.get_tag(),
                data: bytes::Bytes::copy_from_slice(m.get_data()?),
                more: m.get_more(),
                sync_id: m.get_sync_id(),
                ack_for: m.get_ack_for(),
                rma: m.get_rma(),
            };
            let world = match self.node.jobs.borrow().get(&w.job_id) {
                Some(JobSlot::Running(world)) => Some(world.clone()),
                Some(JobSlot::Ended) => continue,
                _ => None,
            };
            match world {
                Some(world) => world.receive_remote(w),
                None if self.node.ended.borrow().contains(&w.job_id) => {}
                None => self
                    .node
                    .early
                    .borrow_mut()
                    .entry(w.job_id)
                    .or_default()
                    .push(w),
            }
        }
        Ok(())
    }
}
