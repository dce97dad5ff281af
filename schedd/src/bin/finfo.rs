//! `finfo`: node view (sinfo-like).

use clap::Parser;
use schedd::client::view::NodeView;
use schedd::client::{self, output, ConnArgs, RpcResult};

#[derive(Parser)]
#[command(name = "finfo", about = "Show nodes, their slots and state")]
struct Args {
    #[command(flatten)]
    conn: ConnArgs,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Print fields separated by '|'.
    #[arg(long)]
    parsable: bool,
}

fn main() {
    let args = Args::parse();
    client::run("finfo", || async move {
        let sched = client::connect(&args.conn).await?;
        let reply = sched.list_nodes_request().send().promise.await.rpc()?;
        let nodes = reply
            .get()?
            .get_nodes()?
            .iter()
            .map(NodeView::from_wire)
            .collect::<capnp::Result<Vec<_>>>()?;
        output::select(args.json, args.parsable).nodes(&nodes);
        Ok(0)
    })
}
