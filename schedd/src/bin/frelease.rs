//! `frelease`: release jobs submitted with `fsub --hold` (scontrol release).

use clap::Parser;
use schedd::client::{self, ConnArgs, JobOp, JobSpecs};

#[derive(Parser)]
#[command(name = "frelease", about = "Release held pending jobs")]
struct Args {
    #[command(flatten)]
    conn: ConnArgs,
    #[command(flatten)]
    specs: JobSpecs,
}

fn main() {
    let args = Args::parse();
    client::run("frelease", || async move {
        client::run_job_op("frelease", &args.conn, JobOp::Release, &args.specs.jobs).await
    })
}
