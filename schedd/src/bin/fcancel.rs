//! `fcancel`: cancel jobs (scancel-like).

use clap::Parser;
use schedd::client::{self, ConnArgs, JobOp};

#[derive(Parser)]
#[command(name = "fcancel", about = "Cancel pending or running jobs")]
struct Args {
    #[command(flatten)]
    conn: ConnArgs,
    /// Job ids: ID, an array's ID (all its tasks) or ID_TASK.
    #[arg(required = true)]
    jobs: Vec<String>,
}

fn main() {
    let args = Args::parse();
    client::run("fcancel", || async move {
        client::run_job_op(
            "fcancel",
            "Kill job error",
            &args.conn,
            JobOp::Cancel,
            &args.jobs,
        )
        .await
    })
}
