//! The schedd daemon: owns the [`Cluster`] core and the [`Store`], serves the
//! Cap'n Proto API (`rpc`), and carries out the core's actions.
//!
//! Everything runs on one thread (capnp-rpc is `!Send`) inside a tokio `LocalSet`;
//! Cranelift compiles and sled flushes go to the blocking pool.

mod rpc;

use crate::core::{Action, Cluster, JobId};
use crate::store::Store;
use anyhow::Context;
use fbatch_proto::key::{self, ClusterKey};
use fbatch_proto::node_capnp::node_agent;
use futures::channel::oneshot;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// schedd's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port).
    pub listen: SocketAddr,
    /// Directory for the sled store and `schedd.addr`.
    pub state_dir: PathBuf,
    /// Interval noded should send heartbeats at.
    pub heartbeat: Duration,
    /// Silence after which a node is declared dead.
    pub node_timeout: Duration,
    /// Partitions (from `--config`; one of every node without it).
    pub partitions: Vec<crate::core::Partition>,
    /// The cluster key file; `None` means `STATE_DIR/cluster.key`, created on
    /// first start.
    pub secret_file: Option<PathBuf>,
}

/// Unix time in ms.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A registered node's control channel.
struct AgentConn {
    agent: node_agent::Client,
    conn: u64,
    engine_hash: String,
    /// Where the node's Peer service listens (for jobs spanning nodes).
    peer_addr: String,
}

/// Coalesces concurrent flush requests into one sled flush (group commit).
#[derive(Default)]
struct Flusher {
    waiters: RefCell<Vec<oneshot::Sender<Result<(), String>>>>,
    running: Cell<bool>,
}

/// The daemon's state, shared by every RPC object on the schedd thread.
pub struct Server {
    cluster: RefCell<Cluster>,
    store: Store,
    compiler: Arc<aotc::Compiler>,
    agents: RefCell<HashMap<String, AgentConn>>,
    /// Launches held back until the node of rank 0 has started (it truncates the
    /// job's output file; the others append to it).
    deferred: RefCell<HashMap<u64, Vec<Action>>>,
    waiters: RefCell<HashMap<JobId, Vec<oneshot::Sender<()>>>>,
    flusher: Flusher,
    /// A scheduling cycle is queued (cycles coalesce: one per burst of events).
    cycle_queued: Cell<bool>,
    /// What every connection must prove it holds.
    key: ClusterKey,
    config: Config,
}

/// The cluster key: `--secret-file`, else `STATE_DIR/cluster.key`, created (mode
/// 0400) if missing. Call with the store open: its lock keeps a second schedd on
/// the same state directory from racing to create the key.
fn cluster_key(config: &Config) -> anyhow::Result<ClusterKey> {
    let (key, path) = match &config.secret_file {
        Some(path) => (ClusterKey::load(path)?, path.clone()),
        None => {
            let path = config.state_dir.join("cluster.key");
            let (key, created) = ClusterKey::load_or_create(&path)?;
            if created {
                log::info!(
                    "created the cluster secret {} (mode 0400): every node and client needs a copy",
                    path.display()
                );
            }
            (key, path)
        }
    };
    log::info!("cluster secret: {}", path.display());
    if let Some(w) = key::permission_warning(&path) {
        log::warn!("{w}");
    }
    Ok(key)
}

impl Server {
    /// Opens the store and rebuilds the scheduler state from it.
    pub fn open(config: Config) -> anyhow::Result<Rc<Server>> {
        std::fs::create_dir_all(&config.state_dir)
            .with_context(|| format!("creating state dir {}", config.state_dir.display()))?;
        let store = Store::open(&config.state_dir)
            .with_context(|| format!("opening state in {}", config.state_dir.display()))?;
        let jobs = store.load_jobs()?;
        let njobs = jobs.len();
        // Runs of each start of schedd get their own range (see Cluster::restore).
        let boot = store.next_boot()?;
        let run_floor = boot.saturating_mul(256).min(0xFF_0000);
        let cluster = Cluster::restore(
            jobs,
            config.partitions.clone(),
            store.load_drains()?,
            run_floor,
            now_ms(),
        );
        let key = cluster_key(&config)?;
        let compiler = aotc::Compiler::new(aotc::new_engine()?, store.artifacts());
        log::info!(
            "restored {njobs} jobs; engine {}",
            &compiler.engine_hash_hex()[..16]
        );
        Ok(Rc::new(Server {
            cluster: RefCell::new(cluster),
            store,
            compiler: Arc::new(compiler),
            agents: RefCell::new(HashMap::new()),
            deferred: RefCell::new(HashMap::new()),
            waiters: RefCell::new(HashMap::new()),
            flusher: Flusher::default(),
            cycle_queued: Cell::new(false),
            key,
            config,
        }))
    }

    /// Makes every write so far durable, sharing one sled flush between all callers
    /// that arrive while a flush is under way.
    async fn flush(self: &Rc<Self>) -> Result<(), String> {
        let (tx, rx) = oneshot::channel();
        self.flusher.waiters.borrow_mut().push(tx);
        if !self.flusher.running.get() {
            self.flusher.running.set(true);
            let this = self.clone();
            tokio::task::spawn_local(async move {
                loop {
                    let batch = std::mem::take(&mut *this.flusher.waiters.borrow_mut());
                    if batch.is_empty() {
                        break;
                    }
                    let store = this.store.clone();
                    let result = tokio::task::spawn_blocking(move || store.flush())
                        .await
                        .map_err(|e| e.to_string())
                        .and_then(|r| r.map_err(|e| e.to_string()));
                    for w in batch {
                        let _ = w.send(result.clone());
                    }
                }
                this.flusher.running.set(false);
            });
        }
        rx.await.map_err(|_| "flush abandoned".to_string())?
    }

    /// Carries out `actions`, then queues a scheduling cycle: the cycle runs once
    /// the events at hand (e.g. a burst of submissions) have been handled.
    fn settle(self: &Rc<Self>, actions: Vec<Action>) {
        self.apply(actions);
        if self.cycle_queued.replace(true) {
            return;
        }
        let this = self.clone();
        tokio::task::spawn_local(async move {
            tokio::task::yield_now().await;
            this.cycle_queued.set(false);
            let actions = this.cluster.borrow_mut().schedule(now_ms());
            this.apply(actions);
        });
    }

    /// Persists changed jobs, talks to nodes and wakes waiters.
    fn apply(self: &Rc<Self>, actions: Vec<Action>) {
        let (dirty, ended) = {
            let mut cluster = self.cluster.borrow_mut();
            (cluster.take_dirty(), cluster.take_ended())
        };
        {
            let cluster = self.cluster.borrow();
            for id in dirty {
                if let Some(job) = cluster.job(id) {
                    if let Err(e) = self.store.put_job(job) {
                        log::error!("persisting job {id}: {e}");
                    }
                }
            }
        }
        let first: std::collections::HashSet<u64> = actions
            .iter()
            .filter_map(|a| match a {
                Action::Launch {
                    key,
                    create_output: true,
                    ..
                } => Some(*key),
                _ => None,
            })
            .collect();
        for action in actions {
            match action {
                Action::Launch {
                    key,
                    create_output: false,
                    ..
                } if first.contains(&key) => {
                    self.deferred
                        .borrow_mut()
                        .entry(key)
                        .or_default()
                        .push(action);
                }
                action => self.dispatch(action),
            }
        }
        for id in ended {
            if let Some(ws) = self.waiters.borrow_mut().remove(&id) {
                for w in ws {
                    let _ = w.send(());
                }
            }
        }
    }

    fn dispatch(self: &Rc<Self>, action: Action) {
        match action {
            Action::Launch {
                job,
                key,
                node,
                ranks,
                create_output,
            } => {
                if self.cluster.borrow().job(job).map(|j| j.key()) != Some(key) {
                    return; // the job moved on (requeued or ended) meanwhile
                }
                let agent = self.agents.borrow().get(&node).map(|a| a.agent.clone());
                let mut req = match agent {
                    Some(agent) => agent.launch_request(),
                    None => {
                        self.launch_failed(key, &node, "node is not connected".into(), true);
                        return;
                    }
                };
                {
                    let cluster = self.cluster.borrow();
                    let Some(rec) = cluster.job(job) else { return };
                    let (function, args, world, module_hash) = rec.current_step();
                    let mut l = req.get().init_launch();
                    l.set_job_id(key);
                    l.set_user_job_id(job);
                    l.set_step_id(rec.step);
                    l.set_job_name(rec.name());
                    l.set_function(function);
                    l.set_module_hash(module_hash);
                    {
                        let mut a = l.reborrow().init_args(args.len() as u32);
                        for (i, arg) in args.iter().enumerate() {
                            a.set(i as u32, arg);
                        }
                    }
                    {
                        let mut env = l.reborrow().init_env(rec.request.env.len() as u32);
                        for (i, (k, v)) in rec.request.env.iter().enumerate() {
                            let mut kv = env.reborrow().get(i as u32);
                            kv.set_key(k);
                            kv.set_value(v);
                        }
                    }
                    l.set_world_size(world);
                    {
                        let mut r = l.reborrow().init_ranks(ranks.len() as u32);
                        for (i, rank) in ranks.iter().enumerate() {
                            r.set(i as u32, *rank);
                        }
                    }
                    l.set_output_path(&rec.output);
                    l.set_create_output(create_output);
                    l.set_cwd(&rec.request.cwd);
                    // The time limit counts from the job's start, across batch steps.
                    let left = i64::from(rec.time_limit_secs) - (now_ms() - rec.start_ms) / 1000;
                    l.set_time_limit_secs(match rec.time_limit_secs {
                        0 => 0,
                        _ => left.max(1) as u32,
                    });
                    l.set_mem_per_rank_mib(rec.request.mem_per_rank_mib);
                    let agents = self.agents.borrow();
                    let step_peers: Vec<(&str, Vec<u32>)> = rec
                        .placement
                        .iter()
                        .map(|p| {
                            let r: Vec<u32> =
                                p.ranks.iter().copied().filter(|r| *r < world).collect();
                            (p.node.as_str(), r)
                        })
                        .filter(|(_, r)| !r.is_empty())
                        .collect();
                    let mut peers = l.reborrow().init_peers(step_peers.len() as u32);
                    for (i, (node, ranks)) in step_peers.iter().enumerate() {
                        let mut pr = peers.reborrow().get(i as u32);
                        pr.set_node(node);
                        pr.set_addr(
                            agents
                                .get(*node)
                                .map(|a| a.peer_addr.as_str())
                                .unwrap_or(""),
                        );
                        let mut r = pr.init_ranks(ranks.len() as u32);
                        for (k, rank) in ranks.iter().enumerate() {
                            r.set(k as u32, *rank);
                        }
                    }
                }
                let this = self.clone();
                tokio::task::spawn_local(async move {
                    let result = req.send().promise.await;
                    let rest = if create_output {
                        this.deferred.borrow_mut().remove(&key).unwrap_or_default()
                    } else {
                        Vec::new()
                    };
                    match result {
                        Ok(_) => {
                            this.cluster.borrow_mut().launched(key, &node);
                            this.apply(Vec::new());
                            for action in rest {
                                this.dispatch(action);
                            }
                        }
                        Err(e) => {
                            let disconnected = e.kind == capnp::ErrorKind::Disconnected;
                            let why = fbatch_proto::rpc::error_text(&e);
                            this.launch_failed(key, &node, why.clone(), disconnected);
                            for action in rest {
                                if let Action::Launch { node: other, .. } = action {
                                    this.launch_failed(
                                        key,
                                        &other,
                                        format!(
                                            "not launched: the launch on {node} failed ({why})"
                                        ),
                                        false,
                                    );
                                }
                            }
                        }
                    }
                });
            }
            Action::Cancel {
                job,
                key,
                node,
                state,
                reason,
            } => {
                let agent = self.agents.borrow().get(&node).map(|a| a.agent.clone());
                let Some(agent) = agent else { return };
                let mut req = agent.cancel_request();
                req.get().set_job_id(key);
                req.get().set_state(crate::convert::state_to_wire(state));
                req.get().set_reason(&reason);
                tokio::task::spawn_local(async move {
                    if let Err(e) = req.send().promise.await {
                        log::warn!(
                            "cancelling job {job} on {node}: {}",
                            fbatch_proto::rpc::error_text(&e)
                        );
                    }
                });
            }
        }
    }

    /// A launch RPC failed; a node that went away fails the job with NODE_FAIL,
    /// any other refusal (module cannot load, output file) with FAILED.
    fn launch_failed(self: &Rc<Self>, key: u64, node: &str, why: String, node_gone: bool) {
        let job = crate::core::split_run_key(key).0;
        log::warn!("launch of job {job} on {node} failed: {why}");
        let state = if node_gone {
            crate::core::JobState::NodeFail
        } else {
            crate::core::JobState::Failed
        };
        let mut report =
            crate::core::NodeReport::new(state, format!("launch on node {node} failed: {why}"));
        report.exit_code = 1;
        let actions = self
            .cluster
            .borrow_mut()
            .report(node, key, report, now_ms());
        self.settle(actions);
    }

    /// A client or node connection closed: nodes registered over it stop receiving work.
    fn connection_closed(self: &Rc<Self>, conn: u64) {
        let gone: Vec<String> = self
            .agents
            .borrow()
            .iter()
            .filter(|(_, a)| a.conn == conn)
            .map(|(n, _)| n.clone())
            .collect();
        for name in gone {
            log::warn!("node {name} disconnected");
            self.agents.borrow_mut().remove(&name);
            self.cluster.borrow_mut().node_disconnected(&name);
        }
    }

    /// Declares silent nodes dead, periodically.
    async fn watch_nodes(self: Rc<Self>) {
        let period = (self.config.heartbeat / 2).max(Duration::from_millis(50));
        loop {
            tokio::time::sleep(period).await;
            let actions = self
                .cluster
                .borrow_mut()
                .expire_nodes(now_ms(), self.config.node_timeout.as_millis() as i64);
            let begin = self.cluster.borrow().begin_due(now_ms());
            if !actions.is_empty() || begin || self.cluster.borrow().nodes().any(|n| !n.up) {
                self.settle(actions);
            }
        }
    }
}

/// Runs schedd until the process is killed.
pub fn run(config: Config) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async move {
        let server = Server::open(config.clone())?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let addr = listener.local_addr()?;
        std::fs::write(config.state_dir.join("schedd.addr"), addr.to_string())?;
        println!("schedd listening on {addr}");
        log::info!("schedd listening on {addr}");
        server.settle(Vec::new());
        tokio::task::spawn_local(server.clone().watch_nodes());
        let mut next_conn = 0u64;
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(s) => s,
                Err(e) => {
                    log::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            next_conn += 1;
            let conn = next_conn;
            log::debug!("connection {conn} from {peer}");
            let bootstrap: fbatch_proto::sched_capnp::scheduler::Client =
                capnp_rpc::new_client(rpc::SchedulerImpl::new(server.clone(), conn));
            let done = fbatch_proto::rpc::serve(stream, &server.key, bootstrap.client);
            let server = server.clone();
            tokio::task::spawn_local(async move {
                let _ = done.await;
                server.connection_closed(conn);
            });
        }
    })
}
