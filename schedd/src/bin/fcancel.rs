//! `fcancel`: cancel jobs (scancel-like).

use clap::Parser;
use schedd::client::{self, ConnArgs, JobOp, JobSpecs};

#[derive(Parser)]
#[command(name = "fcancel", about = "Cancel pending or running jobs")]
struct Args {
    #[command(flatten)]
    conn: ConnArgs,
    #[command(flatten)]
    specs: JobSpecs,
}

fn main() {
    let args = Args::parse();
    client::run("fcancel", || async move {
        client::run_job_op("fcancel", &args.conn, JobOp::Cancel, &args.specs.jobs).await
    })
}
