//! Opening and serving Cap'n Proto RPC connections over TCP. Every connection
//! starts with the cluster-key [`handshake`]; Cap'n Proto runs only on
//! connections whose both ends proved they hold the key.
//!
//! capnp-rpc is `!Send`: everything here must run inside a tokio `LocalSet`.

use crate::handshake::{self, HandshakeError};
use crate::key::ClusterKey;
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

/// Why [`connect`] failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// No TCP connection (nothing listening, unreachable, bad address).
    #[error("{0}")]
    Unreachable(#[source] std::io::Error),
    /// Connected, but the handshake failed (see [`HandshakeError::Refused`]).
    #[error("{0}")]
    Handshake(#[from] HandshakeError),
}

/// Why a served connection ended.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The client failed the handshake; Cap'n Proto never ran.
    #[error("handshake: {0}")]
    Handshake(#[from] HandshakeError),
    /// The RPC system failed.
    #[error("rpc: {0}")]
    Rpc(#[from] capnp::Error),
}

/// Wraps an authenticated TCP stream in an RPC system for `side`, exporting
/// `bootstrap` if given.
fn rpc_system(
    stream: TcpStream,
    side: Side,
    bootstrap: Option<capnp::capability::Client>,
) -> RpcSystem<Side> {
    let (reader, writer) = stream.into_split();
    let network = twoparty::VatNetwork::new(
        futures::io::BufReader::new(reader.compat()),
        futures::io::BufWriter::new(writer.compat_write()),
        side,
        reader_options(),
    );
    RpcSystem::new(Box::new(network), bootstrap)
}

/// Connects to `addr`, proves we hold `key` (and checks the server does), and
/// returns the server's bootstrap capability. The connection is driven by a task
/// spawned on the current `LocalSet`; the returned handle resolves when it closes.
pub async fn connect<C: FromClientHook>(
    addr: &str,
    key: &ClusterKey,
) -> Result<(C, tokio::task::JoinHandle<Result<(), capnp::Error>>), ConnectError> {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(ConnectError::Unreachable)?;
    let _ = stream.set_nodelay(true);
    handshake::client(&mut stream, key).await?;
    let mut system = rpc_system(stream, Side::Client, None);
    let client: C = system.bootstrap(Side::Server);
    let handle = tokio::task::spawn_local(system);
    Ok((client, handle))
}

/// Serves one accepted connection with `bootstrap` once the client has proven it
/// holds `key`; resolves when the connection closes. A client that fails the
/// handshake (wrong key, garbage, silence past the timeout) is logged and dropped.
pub fn serve(
    stream: TcpStream,
    key: &ClusterKey,
    bootstrap: capnp::capability::Client,
) -> tokio::task::JoinHandle<Result<(), ServeError>> {
    let key = key.clone();
    tokio::task::spawn_local(async move {
        let mut stream = stream;
        let _ = stream.set_nodelay(true);
        let peer = stream
            .peer_addr()
            .map(|a| a.to_string())
            .unwrap_or_else(|_| "an unknown address".into());
        match handshake::server(&mut stream, &key).await {
            Ok(()) => {}
            Err(HandshakeError::Closed) => {
                log::debug!("connection from {peer} closed before the handshake");
                return Err(HandshakeError::Closed.into());
            }
            Err(e) => {
                log::warn!("refused connection from {peer}: {e}");
                return Err(e.into());
            }
        }
        rpc_system(stream, Side::Server, Some(bootstrap)).await?;
        Ok(())
    })
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
