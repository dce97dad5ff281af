//! `fupload`: upload a wasm module as a named function (validated and AOT-compiled by schedd).

use anyhow::Context;
use clap::Parser;
use schedd::client::view::FunctionView;
use schedd::client::{self, output, ConnArgs, RpcResult};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "fupload",
    about = "Upload a wasm module built with fmpicc as a function"
)]
struct Args {
    #[command(flatten)]
    conn: ConnArgs,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Print only the module hash.
    #[arg(long)]
    parsable: bool,
    /// Function name used by fsub.
    name: String,
    /// The .wasm file.
    file: PathBuf,
}

fn main() {
    let args = Args::parse();
    client::run("fupload", || async move {
        let wasm = std::fs::read(&args.file)
            .with_context(|| format!("cannot read {}", args.file.display()))?;
        let (_, user) = client::current_user();
        let sched = client::connect(&args.conn).await?;
        let mut req = sched.upload_request();
        req.get().set_name(&args.name);
        req.get().set_wasm(&wasm);
        req.get().set_user(&user);
        let reply = req.send().promise.await.rpc()?;
        let f = FunctionView::from_wire(reply.get()?.get_function()?)?;
        output::select(args.json, args.parsable).uploaded(&f);
        Ok(0)
    })
}
