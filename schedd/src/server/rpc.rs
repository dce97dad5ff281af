//! Cap'n Proto adapters: each method decodes its request, calls the core or the
//! store through [`Server`], and encodes the reply. No scheduling logic lives here.

use super::{now_ms, AgentConn, Server};
use crate::convert::{function_to_wire, job_to_wire, node_to_wire, state_from_wire};
use crate::core::{CancelError, JobRequest, JobState, NodeReport, Step};
use crate::store::FunctionRecord;
use capnp::Error;
use fbatch_proto::node_capnp::node_session;
use fbatch_proto::sched_capnp::scheduler;
use std::rc::Rc;

fn failed(msg: impl Into<String>) -> Error {
    Error::failed(msg.into())
}

fn text(r: capnp::text::Reader<'_>) -> Result<String, Error> {
    Ok(r.to_str()
        .map_err(|e| failed(format!("invalid UTF-8: {e}")))?
        .to_string())
}

/// A valid function name: letters, digits, `_`, `-`, `.`; 1 to 128 characters.
fn valid_function_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The bootstrap object of one connection (a client's or a noded's).
pub struct SchedulerImpl {
    server: Rc<Server>,
    conn: u64,
}

impl SchedulerImpl {
    /// The bootstrap for connection number `conn`.
    pub fn new(server: Rc<Server>, conn: u64) -> Self {
        SchedulerImpl { server, conn }
    }
}

impl scheduler::Server for SchedulerImpl {
    async fn upload(
        self: Rc<Self>,
        params: scheduler::UploadParams,
        mut results: scheduler::UploadResults,
    ) -> Result<(), Error> {
        let p = params.get()?;
        let name = text(p.get_name()?)?;
        let user = text(p.get_user()?)?;
        if !valid_function_name(&name) {
            return Err(failed(format!(
                "invalid function name '{name}': use letters, digits, '_', '-' and '.'"
            )));
        }
        let wasm = p.get_wasm()?.to_vec();
        let compiler = self.server.compiler.clone();
        let (compiled, wasm) = tokio::task::spawn_blocking(move || (compiler.compile(&wasm), wasm))
            .await
            .map_err(|e| failed(format!("compiler crashed: {e}")))?;
        let compiled = compiled.map_err(|e| failed(format!("{name}: {e}")))?;
        let hash = aotc::parse_hash(&compiled.module_hash).expect("aotc hashes are hex");
        let record = FunctionRecord {
            name: name.clone(),
            hash: compiled.module_hash.clone(),
            wasm_bytes: wasm.len() as u64,
            artifact_bytes: compiled.artifact.len() as u64,
            compile_ms: compiled.compile_time.as_millis() as u32,
            cache_hit: compiled.cache_hit,
            uploaded_ms: now_ms(),
            user,
        };
        let store = &self.server.store;
        store
            .put_module(&hash, &wasm)
            .and_then(|_| store.put_function(&record))
            .map_err(|e| failed(e.to_string()))?;
        self.server.flush().await.map_err(failed)?;
        log::info!("uploaded {name} ({})", record.hash);
        function_to_wire(&record, results.get().init_function());
        Ok(())
    }

    async fn submit(
        self: Rc<Self>,
        params: scheduler::SubmitParams,
        mut results: scheduler::SubmitResults,
    ) -> Result<(), Error> {
        let want_handle = params.get()?.get_want_handle();
        let spec = params.get()?.get_spec()?;
        let function = text(spec.get_function()?)?;
        let Some(f) = self
            .server
            .store
            .function(&function)
            .map_err(|e| failed(e.to_string()))?
        else {
            return Err(failed(format!(
                "function '{function}' has not been uploaded (see fupload)"
            )));
        };
        let mut env = Vec::new();
        for kv in spec.get_env()? {
            env.push((text(kv.get_key()?)?, text(kv.get_value()?)?));
        }
        let mut steps = Vec::new();
        for st in spec.get_steps()? {
            let name = text(st.get_function()?)?;
            let Some(sf) = self
                .server
                .store
                .function(&name)
                .map_err(|e| failed(e.to_string()))?
            else {
                return Err(failed(format!(
                    "batch step: function '{name}' has not been uploaded (see fupload)"
                )));
            };
            steps.push(Step {
                function: name,
                args: st
                    .get_args()?
                    .iter()
                    .map(|a| text(a?))
                    .collect::<Result<_, _>>()?,
                ntasks: st.get_ntasks(),
                module_hash: sf.hash,
            });
        }
        let request = JobRequest {
            function,
            args: spec
                .get_args()?
                .iter()
                .map(|a| text(a?))
                .collect::<Result<_, _>>()?,
            ntasks: spec.get_ntasks(),
            name: text(spec.get_name()?)?,
            output_pattern: text(spec.get_output_pattern()?)?,
            cwd: text(spec.get_cwd()?)?,
            env,
            user: text(spec.get_user()?)?,
            uid: spec.get_uid(),
            time_limit_secs: spec.get_time_limit_secs(),
            nodes: spec.get_nodes(),
            ntasks_per_node: spec.get_ntasks_per_node(),
            dependency: text(spec.get_dependency()?)?,
            mem_per_rank_mib: spec.get_mem_per_rank_mib(),
            begin_ms: spec.get_begin_ms(),
            hold: spec.get_hold(),
            exclusive: spec.get_exclusive(),
            partition: text(spec.get_partition()?)?,
            priority: spec.get_has_priority().then(|| spec.get_priority()),
            nice: spec.get_nice(),
            requeue: match spec.get_requeue() {
                1 => Some(true),
                2 => Some(false),
                _ => None,
            },
            steps,
        };
        let array = text(spec.get_array()?)?;
        if request.output_pattern.is_empty() || !request.output_pattern.starts_with('/') {
            return Err(failed("the output path must be absolute"));
        }
        let id = {
            let mut cluster = self.server.cluster.borrow_mut();
            let id = if array.is_empty() {
                cluster.submit(request, f.hash, now_ms())
            } else {
                let (tasks, limit) = crate::core::job::parse_array(&array)
                    .map_err(|e| failed(format!("invalid job array specification {e}")))?;
                cluster.submit_array(request, f.hash, &tasks, limit, now_ms())
            }
            .map_err(|e| failed(e.to_string()))?;
            for dirty in cluster.take_dirty() {
                if let Some(job) = cluster.job(dirty) {
                    self.server
                        .store
                        .put_job(job)
                        .map_err(|e| failed(e.to_string()))?;
                }
            }
            id
        };
        // With free slots, schedule at once: the launch overlaps the flush, the
        // reply waits for it. A job launched but lost in a crash before it was
        // durable was never acknowledged; its run key (new jobs start at this start
        // of schedd's run floor) cannot be confused with a later job given the same
        // id, and its ranks are killed as stale when the node re-registers. With
        // none free, one cycle after the flush serves the whole group commit.
        let now = self.server.cluster.borrow().any_free();
        if now {
            self.server.settle(Vec::new());
        }
        self.server.flush().await.map_err(failed)?;
        if !now {
            self.server.settle(Vec::new());
        }
        results.get().set_job_id(id);
        if want_handle {
            let handle: fbatch_proto::sched_capnp::job_handle::Client =
                capnp_rpc::new_client(JobHandleImpl {
                    server: self.server.clone(),
                    id,
                });
            results.get().set_handle(handle);
        }
        Ok(())
    }

    async fn list_jobs(
        self: Rc<Self>,
        params: scheduler::ListJobsParams,
        mut results: scheduler::ListJobsResults,
    ) -> Result<(), Error> {
        let (all, start) = (params.get()?.get_all(), params.get()?.get_start());
        let cluster = self.server.cluster.borrow();
        let jobs: Vec<_> = if all {
            cluster.jobs().collect()
        } else {
            cluster.active_jobs().collect()
        };
        let starts = if start {
            cluster.expected_starts(now_ms(), 1000)
        } else {
            Default::default()
        };
        let mut list = results.get().init_jobs(jobs.len() as u32);
        for (i, job) in jobs.iter().enumerate() {
            let mut b = list.reborrow().get(i as u32);
            job_to_wire(job, b.reborrow());
            if let Some(t) = starts.get(&job.id) {
                b.set_expected_start_ms(*t);
            }
        }
        Ok(())
    }

    async fn cancel(
        self: Rc<Self>,
        params: scheduler::CancelParams,
        mut results: scheduler::CancelResults,
    ) -> Result<(), Error> {
        let p = params.get()?;
        let uid = p.get_uid();
        let ids: Vec<u64> = p.get_job_ids()?.iter().collect();
        let who = if uid == 0 {
            "root".to_string()
        } else {
            format!("uid {uid}")
        };
        let errors = per_job(&self.server, ids, |c, id| c.cancel(id, uid, &who, now_ms()));
        set_errors(results.get().init_errors(errors.len() as u32), &errors);
        Ok(())
    }

    async fn hold(
        self: Rc<Self>,
        params: scheduler::HoldParams,
        mut results: scheduler::HoldResults,
    ) -> Result<(), Error> {
        let p = params.get()?;
        let (uid, release) = (p.get_uid(), p.get_release());
        let ids: Vec<u64> = p.get_job_ids()?.iter().collect();
        let errors = per_job(&self.server, ids, |c, id| {
            c.set_held(id, uid, !release).map(|()| Vec::new())
        });
        set_errors(results.get().init_errors(errors.len() as u32), &errors);
        Ok(())
    }

    async fn requeue(
        self: Rc<Self>,
        params: scheduler::RequeueParams,
        mut results: scheduler::RequeueResults,
    ) -> Result<(), Error> {
        let p = params.get()?;
        let uid = p.get_uid();
        let ids: Vec<u64> = p.get_job_ids()?.iter().collect();
        let errors = per_job(&self.server, ids, |c, id| c.requeue(id, uid, now_ms()));
        set_errors(results.get().init_errors(errors.len() as u32), &errors);
        Ok(())
    }

    async fn drain(
        self: Rc<Self>,
        params: scheduler::DrainParams,
        _: scheduler::DrainResults,
    ) -> Result<(), Error> {
        let p = params.get()?;
        if p.get_uid() != 0 {
            return Err(failed("access denied: only root may drain or resume nodes"));
        }
        let node = text(p.get_node()?)?;
        let reason = match (p.get_resume(), text(p.get_reason()?)?) {
            (true, _) => None,
            (false, r) if r.is_empty() => {
                return Err(failed(
                    "a drain needs a reason (fcontrol drain NODE --reason TEXT)",
                ))
            }
            (false, r) => Some(r),
        };
        let drains = {
            let mut cluster = self.server.cluster.borrow_mut();
            cluster.set_drain(&node, reason).map_err(failed)?;
            cluster.drains().clone()
        };
        self.server
            .store
            .put_drains(&drains)
            .map_err(|e| failed(e.to_string()))?;
        self.server.flush().await.map_err(failed)?;
        self.server.settle(Vec::new());
        Ok(())
    }

    async fn list_partitions(
        self: Rc<Self>,
        _: scheduler::ListPartitionsParams,
        mut results: scheduler::ListPartitionsResults,
    ) -> Result<(), Error> {
        let cluster = self.server.cluster.borrow();
        let parts = cluster.partitions();
        let mut list = results.get().init_partitions(parts.len() as u32);
        for (i, p) in parts.iter().enumerate() {
            let mut b = list.reborrow().get(i as u32);
            b.set_name(&p.name);
            b.set_up(p.up);
            b.set_default(p.default);
            b.set_max_time_secs(p.max_time_secs);
            b.set_default_time_secs(p.default_time_secs);
            let names: Vec<&str> = cluster
                .nodes()
                .filter(|n| n.partitions.contains(&i))
                .map(|n| n.name.as_str())
                .collect();
            let mut nodes = b.init_nodes(names.len() as u32);
            for (k, n) in names.iter().enumerate() {
                nodes.set(k as u32, n);
            }
        }
        Ok(())
    }

    async fn list_nodes(
        self: Rc<Self>,
        _: scheduler::ListNodesParams,
        mut results: scheduler::ListNodesResults,
    ) -> Result<(), Error> {
        let cluster = self.server.cluster.borrow();
        let nodes: Vec<_> = cluster.nodes().collect();
        let mut list = results.get().init_nodes(nodes.len() as u32);
        for (i, n) in nodes.iter().enumerate() {
            node_to_wire(n, cluster.partitions(), list.reborrow().get(i as u32));
        }
        Ok(())
    }

    async fn wait_job(
        self: Rc<Self>,
        params: scheduler::WaitJobParams,
        mut results: scheduler::WaitJobResults,
    ) -> Result<(), Error> {
        let id = params.get()?.get_job_id();
        wait_until_ended(&self.server, id).await?;
        let cluster = self.server.cluster.borrow();
        job_to_wire(
            cluster.job(id).expect("job exists"),
            results.get().init_job(),
        );
        Ok(())
    }

    async fn get_job(
        self: Rc<Self>,
        params: scheduler::GetJobParams,
        mut results: scheduler::GetJobResults,
    ) -> Result<(), Error> {
        let id = params.get()?.get_job_id();
        let cluster = self.server.cluster.borrow();
        let job = cluster
            .job(id)
            .ok_or_else(|| failed(format!("invalid job id {id}")))?;
        job_to_wire(job, results.get().init_job());
        Ok(())
    }

    async fn list_functions(
        self: Rc<Self>,
        _: scheduler::ListFunctionsParams,
        mut results: scheduler::ListFunctionsResults,
    ) -> Result<(), Error> {
        let functions = self
            .server
            .store
            .functions()
            .map_err(|e| failed(e.to_string()))?;
        let mut list = results.get().init_functions(functions.len() as u32);
        for (i, f) in functions.iter().enumerate() {
            function_to_wire(f, list.reborrow().get(i as u32));
        }
        Ok(())
    }

    async fn register_node(
        self: Rc<Self>,
        params: scheduler::RegisterNodeParams,
        mut results: scheduler::RegisterNodeResults,
    ) -> Result<(), Error> {
        let p = params.get()?;
        let reg = p.get_registration()?;
        let agent = p.get_agent()?;
        let name = text(reg.get_name()?)?;
        if !valid_function_name(&name) {
            return Err(failed(format!("invalid node name '{name}'")));
        }
        let slots = reg.get_slots();
        if slots == 0 {
            return Err(failed("a node must offer at least one slot"));
        }
        let running: Vec<u64> = reg.get_running_jobs()?.iter().collect();
        let engine_hash = text(reg.get_engine_hash()?)?;
        let peer_addr = text(reg.get_peer_addr()?)?;
        log::info!(
            "node {name} registered with {slots} slots, {} running jobs",
            running.len()
        );
        self.server.agents.borrow_mut().insert(
            name.clone(),
            AgentConn {
                agent,
                conn: self.conn,
                engine_hash,
                peer_addr,
            },
        );
        let actions =
            self.server
                .cluster
                .borrow_mut()
                .register_node(&name, slots, &running, now_ms());
        self.server.settle(actions);
        let session: node_session::Client = capnp_rpc::new_client(NodeSessionImpl {
            server: self.server.clone(),
            node: name,
        });
        results.get().set_session(session);
        results
            .get()
            .set_heartbeat_ms(self.server.config.heartbeat.as_millis() as u32);
        Ok(())
    }
}

/// Applies `op` to each job in turn, carries out what they decided, and returns
/// one error text per job (empty where it succeeded).
fn per_job(
    server: &Rc<Server>,
    ids: Vec<u64>,
    mut op: impl FnMut(&mut crate::core::Cluster, u64) -> Result<Vec<crate::core::Action>, CancelError>,
) -> Vec<String> {
    let mut actions = Vec::new();
    let errors = ids
        .into_iter()
        .map(|id| match op(&mut server.cluster.borrow_mut(), id) {
            Ok(a) => {
                actions.extend(a);
                String::new()
            }
            Err(e) => e.to_string(),
        })
        .collect();
    server.settle(actions);
    errors
}

fn set_errors(mut list: capnp::text_list::Builder<'_>, errors: &[String]) {
    for (i, e) in errors.iter().enumerate() {
        list.set(i as u32, e);
    }
}

/// Resolves once job `id` has ended.
async fn wait_until_ended(server: &Rc<Server>, id: u64) -> Result<(), Error> {
    let rx = {
        let cluster = server.cluster.borrow();
        let job = cluster
            .job(id)
            .ok_or_else(|| failed(format!("invalid job id {id}")))?;
        if job.state.is_final() {
            None
        } else {
            let (tx, rx) = futures::channel::oneshot::channel();
            server.waiters.borrow_mut().entry(id).or_default().push(tx);
            Some(rx)
        }
    };
    if let Some(rx) = rx {
        rx.await.map_err(|_| failed("schedd is shutting down"))?;
    }
    Ok(())
}

/// A submitted job, handed back by `submit`.
struct JobHandleImpl {
    server: Rc<Server>,
    id: u64,
}

impl fbatch_proto::sched_capnp::job_handle::Server for JobHandleImpl {
    async fn wait(
        self: Rc<Self>,
        _: fbatch_proto::sched_capnp::job_handle::WaitParams,
        mut results: fbatch_proto::sched_capnp::job_handle::WaitResults,
    ) -> Result<(), Error> {
        wait_until_ended(&self.server, self.id).await?;
        let cluster = self.server.cluster.borrow();
        job_to_wire(
            cluster.job(self.id).expect("job exists"),
            results.get().init_job(),
        );
        Ok(())
    }
}

/// schedd's side of one registered node.
struct NodeSessionImpl {
    server: Rc<Server>,
    node: String,
}

impl node_session::Server for NodeSessionImpl {
    async fn heartbeat(
        self: Rc<Self>,
        _: node_session::HeartbeatParams,
        _: node_session::HeartbeatResults,
    ) -> Result<(), Error> {
        if self
            .server
            .cluster
            .borrow_mut()
            .heartbeat(&self.node, now_ms())
        {
            Ok(())
        } else {
            Err(failed(format!(
                "node {} is not registered (declared down); register again",
                self.node
            )))
        }
    }

    async fn job_ended(
        self: Rc<Self>,
        params: node_session::JobEndedParams,
        _: node_session::JobEndedResults,
    ) -> Result<(), Error> {
        let r = params.get()?.get_report()?;
        let outcome = state_from_wire(r.get_outcome()?);
        let outcome = if outcome.is_final() {
            outcome
        } else {
            JobState::Failed
        };
        let mut report = NodeReport::new(outcome, text(r.get_reason()?)?);
        report.exit_code = r.get_exit_code();
        report.signal = r.get_signal();
        report.rank_mem = r
            .get_rank_mem()?
            .iter()
            .map(|m| (m.get_rank(), m.get_bytes()))
            .collect();
        let actions =
            self.server
                .cluster
                .borrow_mut()
                .report(&self.node, r.get_job_id(), report, now_ms());
        self.server.settle(actions);
        // noded forgets the job once this call returns: the outcome must be durable
        // first, or a schedd crash would leave the job "running" on a node that no
        // longer knows it (and end it NODE_FAIL).
        self.server.flush().await.map_err(failed)?;
        Ok(())
    }

    async fn fetch_module(
        self: Rc<Self>,
        params: node_session::FetchModuleParams,
        mut results: node_session::FetchModuleResults,
    ) -> Result<(), Error> {
        let hash_hex = text(params.get()?.get_hash()?)?;
        let hash = aotc::parse_hash(&hash_hex)
            .ok_or_else(|| failed(format!("malformed module hash {hash_hex}")))?;
        let same_engine = self
            .server
            .agents
            .borrow()
            .get(&self.node)
            .map(|a| a.engine_hash == self.server.compiler.engine_hash_hex())
            .unwrap_or(false);
        let store = &self.server.store;
        if same_engine {
            if let Some(artifact) = self
                .server
                .compiler
                .cached(&hash)
                .map_err(|e| failed(e.to_string()))?
            {
                results.get().set_artifact(artifact.bytes());
                results
                    .get()
                    .set_artifact_sha256(&artifact.recorded_sha256());
                return Ok(());
            }
        }
        let wasm = store
            .module(&hash)
            .map_err(|e| failed(e.to_string()))?
            .ok_or_else(|| failed(format!("no module with hash {hash_hex}")))?;
        results.get().set_wasm(&wasm);
        Ok(())
    }
}
