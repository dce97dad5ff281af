//! `frelease`: release jobs submitted with `fsub --hold` (scontrol release).

use clap::Parser;
use schedd::client::{self, ConnArgs, JobOp};

#[derive(Parser)]
#[command(name = "frelease", about = "Release held pending jobs")]
struct Args {
    #[command(flatten)]
    conn: ConnArgs,
    /// Job ids: ID, an array's ID (all its tasks) or ID_TASK.
    #[arg(required = true)]
    jobs: Vec<String>,
}

fn main() {
    let args = Args::parse();
    client::run("frelease", || async move {
        client::run_job_op(
            "frelease",
            "Release",
            &args.conn,
            JobOp::Release,
            &args.jobs,
        )
        .await
    })
}
