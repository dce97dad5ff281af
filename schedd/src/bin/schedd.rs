//! `schedd`: the fbatch scheduler daemon.

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "schedd", about = "fbatch scheduler daemon")]
struct Cli {
    /// Address to listen on (port 0 picks one; the chosen address is written to STATE_DIR/schedd.addr).
    #[arg(long, default_value = "127.0.0.1:6817")]
    listen: SocketAddr,
    /// Directory for the persistent state (job queue, functions, artifacts).
    #[arg(long)]
    state_dir: PathBuf,
    /// Heartbeat interval asked of node daemons, in ms.
    #[arg(long, default_value_t = 1000)]
    heartbeat_ms: u64,
    /// A node silent for this long is declared down and its jobs fail (NF), in ms.
    #[arg(long, default_value_t = 5000)]
    node_timeout_ms: u64,
    /// Config file (TOML) defining partitions; see docs/scheduling.md.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The cluster secret every node and client must prove it holds (default:
    /// STATE_DIR/cluster.key, created with a random key on first start).
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
}

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let partitions = match &cli.config {
        None => vec![schedd::core::Partition::everything()],
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| schedd::core::partition::parse_config(&t))
        {
            Ok(p) => p,
            Err(e) => {
                eprintln!("schedd: error: config {}: {e}", path.display());
                std::process::exit(1);
            }
        },
    };
    let config = schedd::server::Config {
        partitions,
        listen: cli.listen,
        state_dir: cli.state_dir,
        heartbeat: Duration::from_millis(cli.heartbeat_ms),
        node_timeout: Duration::from_millis(cli.node_timeout_ms),
        secret_file: cli.secret_file,
    };
    if let Err(e) = schedd::server::run(config) {
        eprintln!("schedd: error: {e:#}");
        std::process::exit(1);
    }
}
