//! What every client command shares: finding and connecting to schedd, the
//! submitting user's identity, running an async command, and the output layer.

pub mod format;
pub mod output;
pub mod script;
pub mod view;

use fbatch_proto::handshake::HandshakeError;
use fbatch_proto::key::ClusterKey;
use fbatch_proto::rpc::ConnectError;
use fbatch_proto::sched_capnp::scheduler;
use std::future::Future;
use std::path::PathBuf;

/// Default schedd address (Slurm's slurmctld port).
pub const DEFAULT_SCHEDD: &str = "127.0.0.1:6817";

/// `--schedd ADDR` (or `FBATCH_SCHEDD`) and `--secret-file FILE` (or
/// `FBATCH_SECRET_FILE`), shared by every command.
#[derive(clap::Args, Debug, Clone)]
pub struct ConnArgs {
    /// schedd address (host:port).
    #[arg(long, env = "FBATCH_SCHEDD", default_value = DEFAULT_SCHEDD)]
    pub schedd: String,
    /// The cluster secret (default: /etc/fbatch/cluster.key).
    #[arg(long, env = "FBATCH_SECRET_FILE", value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
}

/// Runs a command's async body on a single-threaded runtime (capnp-rpc is `!Send`)
/// and exits: with the body's code, or 1 after printing `CMD: error: ...`.
pub fn run<F, Fut>(cmd: &str, body: F) -> !
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = anyhow::Result<i32>>,
{
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let local = tokio::task::LocalSet::new();
    let code = match local.block_on(&rt, body()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{cmd}: error: {e:#}");
            1
        }
    };
    std::process::exit(code)
}

/// Connects to schedd, authenticating with the cluster key.
pub async fn connect(conn: &ConnArgs) -> anyhow::Result<scheduler::Client> {
    let (key, _) = ClusterKey::find(conn.secret_file.as_deref())?;
    let addr = &conn.schedd;
    match fbatch_proto::rpc::connect::<scheduler::Client>(addr, &key).await {
        Ok((client, _task)) => Ok(client),
        Err(ConnectError::Unreachable(e)) => Err(anyhow::anyhow!(
            "cannot reach schedd at {addr} (is it running? use --schedd or FBATCH_SCHEDD): {e}"
        )),
        Err(ConnectError::Handshake(HandshakeError::Refused)) => Err(anyhow::anyhow!(
            "schedd at {addr} refused the connection: wrong or missing cluster secret \
             (use --secret-file or FBATCH_SECRET_FILE)"
        )),
        Err(ConnectError::Handshake(e)) => Err(anyhow::anyhow!(
            "cannot authenticate to schedd at {addr}: {e}"
        )),
    }
}

/// Turns a capnp error into a one-line message for the user.
pub trait RpcResult<T> {
    /// The value, or the server's message as an `anyhow` error.
    fn rpc(self) -> anyhow::Result<T>;
}

impl<T> RpcResult<T> for Result<T, capnp::Error> {
    fn rpc(self) -> anyhow::Result<T> {
        self.map_err(|e| anyhow::anyhow!(fbatch_proto::rpc::error_text(&e)))
    }
}

/// Whether a capnp error means the connection dropped (rather than a refusal).
pub fn is_disconnect(e: &capnp::Error) -> bool {
    e.kind == capnp::ErrorKind::Disconnected
}

/// The calling user's uid and name.
pub fn current_user() -> (u32, String) {
    // SAFETY: getuid cannot fail and has no preconditions.
    let uid = unsafe { libc::getuid() };
    let name = std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| {
            if uid == 0 {
                "root".into()
            } else {
                uid.to_string()
            }
        });
    (uid, name)
}

pub use crate::core::job::parse_time_limit;

/// Formats seconds like Slurm's TIME column: `M:SS`, `H:MM:SS` or `D-HH:MM:SS`.
pub fn format_duration(secs: i64) -> String {
    let secs = secs.max(0);
    let (d, h, m, s) = (secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if d > 0 {
        format!("{d}-{h:02}:{m:02}:{s:02}")
    } else if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slurm_time_limits_parse() {
        assert_eq!(parse_time_limit("5"), Ok(300));
        assert_eq!(parse_time_limit("5:30"), Ok(330));
        assert_eq!(parse_time_limit("1:00:01"), Ok(3601));
        assert_eq!(parse_time_limit("2-3"), Ok(2 * 86400 + 3 * 3600));
        assert_eq!(parse_time_limit("1-0:1"), Ok(86400 + 60));
        assert_eq!(parse_time_limit("1-0:0:5"), Ok(86405));
        assert_eq!(parse_time_limit("UNLIMITED"), Ok(0));
        assert!(parse_time_limit("1:2:3:4").is_err());
        assert!(parse_time_limit("abc").is_err());
        assert!(parse_time_limit("").is_err());
    }

    #[test]
    fn durations_format_like_squeue() {
        assert_eq!(format_duration(5), "0:05");
        assert_eq!(format_duration(3599), "59:59");
        assert_eq!(format_duration(3600), "1:00:00");
        assert_eq!(format_duration(90061), "1-01:01:01");
    }
}

/// A Unix time in ms as Slurm prints times: local `YYYY-MM-DDTHH:MM:SS`.
pub fn format_time(ms: i64) -> String {
    let secs = (ms / 1000) as libc::time_t;
    // SAFETY: localtime_r only writes the tm we own.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&secs, &mut tm).is_null() {
            return "N/A".into();
        }
        tm
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

/// Turns job specs as users type them (`42`, an array's `42` meaning all its
/// tasks, `42_3` one task) into job ids, with the spec each came from.
pub async fn resolve_job_ids(
    sched: &fbatch_proto::sched_capnp::scheduler::Client,
    specs: &[String],
) -> anyhow::Result<Vec<(String, Vec<u64>)>> {
    let mut req = sched.list_jobs_request();
    req.get().set_all(true);
    let reply = req.send().promise.await.rpc()?;
    // Per array: (task, job id, still active).
    let mut arrays: std::collections::HashMap<u64, Vec<(u32, u64, bool)>> = Default::default();
    for j in reply.get()?.get_jobs()?.iter() {
        if j.get_array_job_id() != 0 {
            let state = crate::convert::state_from_wire(j.get_state()?);
            arrays.entry(j.get_array_job_id()).or_default().push((
                j.get_array_task_id(),
                j.get_id(),
                !state.is_final(),
            ));
        }
    }
    let mut out = Vec::new();
    for spec in specs {
        let bad = || anyhow::anyhow!("invalid job id specified: {spec}");
        let ids = match spec.split_once('_') {
            Some((a, t)) => {
                let (a, t): (u64, u32) =
                    (a.parse().map_err(|_| bad())?, t.parse().map_err(|_| bad())?);
                let task = arrays
                    .get(&a)
                    .and_then(|ts| ts.iter().find(|(i, _, _)| *i == t))
                    .ok_or_else(|| {
                        anyhow::anyhow!("invalid job id specified: {spec} (no such array task)")
                    })?;
                vec![task.1]
            }
            None => {
                let id: u64 = spec.parse().map_err(|_| bad())?;
                // An array's id: its tasks that have not ended (or all, if
                // every one has, so that the refusal says so).
                match arrays.get(&id) {
                    Some(ts) if ts.iter().any(|t| t.2) => {
                        ts.iter().filter(|t| t.2).map(|t| t.1).collect()
                    }
                    Some(ts) => ts.iter().map(|t| t.1).collect(),
                    None => vec![id],
                }
            }
        };
        out.push((spec.clone(), ids));
    }
    Ok(out)
}

/// The job ids a per-job command (fcancel, frelease, fcontrol requeue ...) takes.
#[derive(clap::Args, Debug, Clone)]
pub struct JobSpecs {
    /// Job ids: ID, an array's ID (all its tasks still active) or ID_TASK.
    #[arg(required = true, value_name = "JOB")]
    pub jobs: Vec<String>,
}

/// What a per-job request asks of schedd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOp {
    /// fcancel.
    Cancel,
    /// fcontrol hold.
    Hold,
    /// frelease / fcontrol release.
    Release,
    /// fcontrol requeue.
    Requeue,
}

/// Sends `op` for `ids` as `uid`; one error text per id (empty = done).
pub async fn job_op(
    sched: &fbatch_proto::sched_capnp::scheduler::Client,
    op: JobOp,
    uid: u32,
    ids: &[u64],
) -> anyhow::Result<Vec<String>> {
    fn errors(list: capnp::Result<capnp::text_list::Reader<'_>>) -> anyhow::Result<Vec<String>> {
        list?
            .iter()
            .map(|e| Ok(e?.to_string()?))
            .collect::<anyhow::Result<Vec<String>>>()
    }
    macro_rules! send {
        ($req:expr) => {{
            let mut req = $req;
            req.get().set_uid(uid);
            let mut list = req.get().init_job_ids(ids.len() as u32);
            for (i, id) in ids.iter().enumerate() {
                list.set(i as u32, *id);
            }
            req
        }};
    }
    match op {
        JobOp::Cancel => {
            let reply = send!(sched.cancel_request()).send().promise.await.rpc()?;
            errors(reply.get()?.get_errors())
        }
        JobOp::Hold | JobOp::Release => {
            let mut req = send!(sched.hold_request());
            req.get().set_release(op == JobOp::Release);
            let reply = req.send().promise.await.rpc()?;
            errors(reply.get()?.get_errors())
        }
        JobOp::Requeue => {
            let reply = send!(sched.requeue_request()).send().promise.await.rpc()?;
            errors(reply.get()?.get_errors())
        }
    }
}

impl JobOp {
    /// How a refusal is introduced (Slurm's wording for scancel).
    fn what(self) -> &'static str {
        match self {
            JobOp::Cancel => "Kill job error",
            JobOp::Hold => "Hold",
            JobOp::Release => "Release",
            JobOp::Requeue => "Requeue",
        }
    }
}

/// Resolves job specs, applies `op` to every id and reports refusals as
/// `CMD: error: WHAT on job id SPEC: why`; returns the exit code.
pub async fn run_job_op(
    cmd: &str,
    conn: &ConnArgs,
    op: JobOp,
    specs: &[String],
) -> anyhow::Result<i32> {
    let what = op.what();
    let (uid, _) = current_user();
    let sched = connect(conn).await?;
    let resolved = resolve_job_ids(&sched, specs).await?;
    let ids: Vec<u64> = resolved.iter().flat_map(|(_, ids)| ids.clone()).collect();
    let mut errors = job_op(&sched, op, uid, &ids).await?.into_iter();
    let mut code = 0;
    for (spec, ids) in &resolved {
        for id in ids {
            if let Some(err) = errors.next().filter(|e| !e.is_empty()) {
                let shown = if spec == &id.to_string() {
                    spec.clone()
                } else {
                    format!("{spec} (job {id})")
                };
                eprintln!("{cmd}: error: {what} on job id {shown}: {err}");
                code = 1;
            }
        }
    }
    Ok(code)
}
