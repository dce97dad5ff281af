//! Opening and serving Cap'n Proto RPC connections over TCP.
//!
//! capnp-rpc is `!Send`: everything here must run inside a tokio `LocalSet`.

use capnp::capability::FromClientHook;
use capnp_rpc::rpc_twoparty_capnp::Side;
use capnp_rpc::{twoparty, RpcSystem};
use tokio::net::TcpStream;
use tokio_util::compat::{TokioAsyncReadCompatExt, TokioAsyncWriteCompatExt};

/// Largest message fbatch accepts: wasm uploads and artifacts travel as one `Data`.
pub const MAX_MESSAGE_BYTES: usize = 1 << 30;

/// Reader options allowing messages up to [`MAX_MESSAGE_BYTES`].
pub fn reader_options() -> capnp::message::ReaderOptions {
    let mut options = capnp::message::ReaderOptions::new();
    options.traversal_limit_in_words(Some(MAX_MESSAGE_BYTES / 8));
    options
}

/// Wraps a TCP stream in an RPC system for `side`, exporting `bootstrap` if given.
pub fn rpc_system(
    stream: TcpStream,
    side: Side,
    bootstrap: Option<capnp::capability::Client>,
) -> RpcSystem<Side> {
    let _ = stream.set_nodelay(true);
    let (reader, writer) = stream.into_split();
    let network = twoparty::VatNetwork::new(
        futures::io::BufReader::new(reader.compat()),
        futures::io::BufWriter::new(writer.compat_write()),
        side,
        reader_options(),
    );
    RpcSystem::new(Box::new(network), bootstrap)
}

/// Connects to `addr` and returns the server's bootstrap capability. The connection
/// is driven by a task spawned on the current `LocalSet`; the returned handle
/// resolves when it closes.
pub async fn connect<C: FromClientHook>(
    addr: &str,
) -> std::io::Result<(C, tokio::task::JoinHandle<Result<(), capnp::Error>>)> {
    let stream = TcpStream::connect(addr).await?;
    let mut system = rpc_system(stream, Side::Client, None);
    let client: C = system.bootstrap(Side::Server);
    let handle = tokio::task::spawn_local(system);
    Ok((client, handle))
}

/// Serves one accepted connection with `bootstrap`; resolves when it closes.
pub fn serve(
    stream: TcpStream,
    bootstrap: capnp::capability::Client,
) -> tokio::task::JoinHandle<Result<(), capnp::Error>> {
    tokio::task::spawn_local(rpc_system(stream, Side::Server, Some(bootstrap)))
}

/// The human part of a capnp error (drops the "remote exception:" plumbing).
pub fn error_text(e: &capnp::Error) -> String {
    let text = e.extra.trim();
    let text = text
        .strip_prefix("remote exception:")
        .unwrap_or(text)
        .trim();
    if text.is_empty() {
        format!("{e}")
    } else {
        text.to_string()
    }
}
