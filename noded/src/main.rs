//! `noded`: the fbatch node daemon.

use clap::Parser;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "noded",
    about = "fbatch node daemon: runs MPI ranks as wasm instances"
)]
struct Cli {
    /// schedd address (host:port).
    #[arg(long, env = "FBATCH_SCHEDD", default_value = "127.0.0.1:6817")]
    schedd: String,
    /// Rank slots to offer (default: number of CPUs).
    #[arg(long)]
    slots: Option<u32>,
    /// Directory for the artifact cache.
    #[arg(long)]
    state_dir: PathBuf,
    /// Node name (default: the host name); must be unique in the cluster.
    #[arg(long)]
    name: Option<String>,
    /// Memory limit per rank in MiB (default: physical memory / slots, at most 4096).
    #[arg(long)]
    mem_per_rank: Option<u64>,
    /// Address for the Peer service other noded processes send MPI messages to
    /// (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    peer_listen: String,
    /// Address to advertise for the Peer service (default: the bound address).
    #[arg(long)]
    peer_advertise: Option<String>,
    /// The cluster secret shared with schedd and the other nodes (default:
    /// /etc/fbatch/cluster.key).
    #[arg(long, env = "FBATCH_SECRET_FILE", value_name = "FILE")]
    secret_file: Option<PathBuf>,
}

fn mem_total() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map(|kib| kib * 1024)
        .unwrap_or(8 << 30)
}

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let (key, key_file) = match fbatch_proto::key::ClusterKey::find(cli.secret_file.as_deref()) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("noded: error: {e}");
            std::process::exit(1);
        }
    };
    log::info!("cluster secret: {}", key_file.display());
    if let Some(w) = fbatch_proto::key::permission_warning(&key_file) {
        log::warn!("{w}");
    }
    let slots = cli
        .slots
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get() as u32)
                .unwrap_or(1)
        })
        .max(1);
    let name = cli.name.unwrap_or_else(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| "localhost".into())
    });
    let total = mem_total();
    let per_rank = cli
        .mem_per_rank
        .map(|m| m << 20)
        .unwrap_or_else(|| (total / slots as u64).min(4 << 30));
    let config = noded::daemon::Config {
        schedd: cli.schedd,
        slots,
        state_dir: cli.state_dir,
        name,
        mem_per_rank: per_rank as usize,
        mem_total: total,
        peer_listen: cli.peer_listen,
        peer_advertise: cli.peer_advertise,
        key,
    };
    if let Err(e) = noded::daemon::run(config) {
        eprintln!("noded: error: {e:#}");
        std::process::exit(1);
    }
}
