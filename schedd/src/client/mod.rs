//! What every client command shares: finding and connecting to schedd, the
//! submitting user's identity, running an async command, and the output layer.

pub mod output;
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

/// Parses a Slurm time limit: `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`,
/// `D-HH:MM:SS`; `0`, `UNLIMITED` and `infinite` mean none. Returns seconds.
pub fn parse_time_limit(s: &str) -> Result<u32, String> {
    let bad = || {
        format!("invalid time limit '{s}' (use MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)")
    };
    let t = s.trim();
    if t.eq_ignore_ascii_case("unlimited") || t.eq_ignore_ascii_case("infinite") {
        return Ok(0);
    }
    let num = |p: &str| p.parse::<u64>().map_err(|_| bad());
    let (days, rest) = match t.split_once('-') {
        Some((d, r)) => (Some(num(d)?), r),
        None => (None, t),
    };
    let parts: Vec<u64> = rest.split(':').map(num).collect::<Result<_, _>>()?;
    let secs = match (days, parts.as_slice()) {
        (None, [m]) => m * 60,
        (None, [m, s]) => m * 60 + s,
        (None, [h, m, s]) => h * 3600 + m * 60 + s,
        (Some(d), [h]) => d * 86400 + h * 3600,
        (Some(d), [h, m]) => d * 86400 + h * 3600 + m * 60,
        (Some(d), [h, m, s]) => d * 86400 + h * 3600 + m * 60 + s,
        _ => return Err(bad()),
    };
    u32::try_from(secs).map_err(|_| bad())
}

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
