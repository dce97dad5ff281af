//! The challenge-response that opens every fbatch connection, before Cap'n Proto
//! runs on it: each side proves it holds the cluster key without sending it.
//!
//! ```text
//! both   -> HELLO   = "fbatch" || version (u16 BE) || nonce (32 random bytes)
//! client -> PROOF_C = HMAC-SHA256(key, "fbatch client" || client nonce || server nonce)
//! server -> ACCEPT (1 byte) || PROOF_S = HMAC-SHA256(key, "fbatch server" || server nonce || client nonce)
//!        or REFUSED_KEY / REFUSED_VERSION (1 byte), then the server closes
//! ```
//!
//! Both hellos travel at once (the server does not wait for the client's), so the
//! handshake costs one round trip more than a bare connection. The server proves
//! itself only to a client that has proven itself, so a client without the key
//! learns nothing but a random nonce. Fresh nonces on both sides make a recorded
//! proof useless on another connection, and the role labels make a proof useless
//! when reflected back at its sender. Proofs are compared in constant time.

use crate::key::ClusterKey;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The protocol's magic bytes, first on every connection.
pub const MAGIC: &[u8; 6] = b"fbatch";

/// The handshake (and wire protocol) version this build speaks.
pub const VERSION: u16 = 1;

/// How long either side waits for the whole handshake before giving up.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

const NONCE_BYTES: usize = 32;
const HELLO_BYTES: usize = MAGIC.len() + 2 + NONCE_BYTES;
const PROOF_BYTES: usize = 32;

const ACCEPT: u8 = b'A';
const REFUSED_KEY: u8 = b'K';
const REFUSED_VERSION: u8 = b'V';

const CLIENT_LABEL: &[u8] = b"fbatch client";
const SERVER_LABEL: &[u8] = b"fbatch server";

/// Why a handshake failed; the text is meant for a log line or a user.
#[derive(Debug, thiserror::Error)]
pub enum HandshakeError {
    /// The connection failed or closed during the handshake.
    #[error("connection lost during the handshake: {0}")]
    Io(#[from] std::io::Error),
    /// The other side closed the connection before sending anything (a port
    /// probe, a health check).
    #[error("closed before the handshake")]
    Closed,
    /// The other side did not complete the handshake in time.
    #[error("no handshake within {} s", HANDSHAKE_TIMEOUT.as_secs())]
    Timeout,
    /// The other side does not speak fbatch's protocol.
    #[error("not an fbatch peer (bad magic bytes)")]
    NotFbatch,
    /// The other side speaks another protocol version.
    #[error("protocol version mismatch: ours is {ours}, theirs is {theirs}")]
    Version {
        /// This build's version.
        ours: u16,
        /// The other side's.
        theirs: u16,
    },
    /// The server refused the client's protocol version.
    #[error("refused: the server speaks another fbatch protocol version than {VERSION}")]
    RefusedVersion,
    /// Server side: the client's proof is wrong (it lacks the key, or has another).
    #[error("the client does not hold the cluster secret")]
    ClientNotAuthenticated,
    /// Client side: the server refused our proof.
    #[error("refused: wrong or missing cluster secret")]
    Refused,
    /// Client side: the server accepted but its own proof is wrong (it is not
    /// the cluster's, or an impostor in the middle).
    #[error("the server could not prove it holds the cluster secret")]
    ServerNotAuthenticated,
    /// The system random number generator failed.
    #[error("no random nonce: {0}")]
    Random(String),
    /// The other side sent a byte the protocol does not define.
    #[error("unexpected handshake reply {0:#04x}")]
    Protocol(u8),
}

/// Which end of the connection this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Client,
    Server,
}

fn nonce() -> Result<[u8; NONCE_BYTES], HandshakeError> {
    let mut n = [0u8; NONCE_BYTES];
    getrandom::fill(&mut n).map_err(|e| HandshakeError::Random(e.to_string()))?;
    Ok(n)
}

fn hello(nonce: &[u8; NONCE_BYTES]) -> [u8; HELLO_BYTES] {
    let mut h = [0u8; HELLO_BYTES];
    h[..MAGIC.len()].copy_from_slice(MAGIC);
    h[MAGIC.len()..MAGIC.len() + 2].copy_from_slice(&VERSION.to_be_bytes());
    h[MAGIC.len() + 2..].copy_from_slice(nonce);
    h
}

/// Reads the other side's hello; [`HandshakeError::Closed`] if the connection
/// closes before its first byte.
async fn read_hello<S: AsyncRead + Unpin>(
    stream: &mut S,
) -> Result<[u8; HELLO_BYTES], HandshakeError> {
    let mut h = [0u8; HELLO_BYTES];
    if stream.read(&mut h[..1]).await? == 0 {
        return Err(HandshakeError::Closed);
    }
    stream.read_exact(&mut h[1..]).await?;
    Ok(h)
}

/// Splits a received hello into (version, nonce).
fn parse_hello(h: &[u8; HELLO_BYTES]) -> Result<(u16, [u8; NONCE_BYTES]), HandshakeError> {
    if &h[..MAGIC.len()] != MAGIC {
        return Err(HandshakeError::NotFbatch);
    }
    let version = u16::from_be_bytes([h[MAGIC.len()], h[MAGIC.len() + 1]]);
    let nonce = h[MAGIC.len() + 2..].try_into().expect("nonce length");
    Ok((version, nonce))
}

/// The MAC a side of role `role` sends: over its label, its nonce, the other's.
fn mac(key: &ClusterKey, role: Role, own: &[u8], peer: &[u8]) -> Hmac<Sha256> {
    let mut m =
        Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
    m.update(match role {
        Role::Client => CLIENT_LABEL,
        Role::Server => SERVER_LABEL,
    });
    m.update(own);
    m.update(peer);
    m
}

fn proof(key: &ClusterKey, role: Role, own: &[u8], peer: &[u8]) -> [u8; PROOF_BYTES] {
    mac(key, role, own, peer).finalize().into_bytes().into()
}

/// Whether `proof` is what a side of `role` holding `key` would send (constant time).
fn verify(key: &ClusterKey, role: Role, own: &[u8], peer: &[u8], proof: &[u8]) -> bool {
    mac(key, role, own, peer).verify_slice(proof).is_ok()
}

async fn timed<T>(
    limit: Duration,
    f: impl std::future::Future<Output = Result<T, HandshakeError>>,
) -> Result<T, HandshakeError> {
    tokio::time::timeout(limit, f)
        .await
        .unwrap_or(Err(HandshakeError::Timeout))
}

/// Runs the client's side on a fresh connection: succeeds once both sides have
/// proven they hold `key`.
pub async fn client<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    key: &ClusterKey,
) -> Result<(), HandshakeError> {
    timed(HANDSHAKE_TIMEOUT, async {
        let ours = nonce()?;
        stream.write_all(&hello(&ours)).await?;
        let (version, theirs) = parse_hello(&read_hello(stream).await?)?;
        if version != VERSION {
            return Err(HandshakeError::Version {
                ours: VERSION,
                theirs: version,
            });
        }
        stream
            .write_all(&proof(key, Role::Client, &ours, &theirs))
            .await?;
        let mut verdict = [0u8; 1];
        stream.read_exact(&mut verdict).await?;
        match verdict[0] {
            ACCEPT => {}
            REFUSED_KEY => return Err(HandshakeError::Refused),
            REFUSED_VERSION => return Err(HandshakeError::RefusedVersion),
            other => return Err(HandshakeError::Protocol(other)),
        }
        let mut server_proof = [0u8; PROOF_BYTES];
        stream.read_exact(&mut server_proof).await?;
        if !verify(key, Role::Server, &theirs, &ours, &server_proof) {
            return Err(HandshakeError::ServerNotAuthenticated);
        }
        Ok(())
    })
    .await
}

/// Runs the server's side on an accepted connection: succeeds once the client
/// has proven it holds `key` (and has been sent our proof); on failure the
/// caller drops the connection.
pub async fn server<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    key: &ClusterKey,
) -> Result<(), HandshakeError> {
    server_within(stream, key, HANDSHAKE_TIMEOUT).await
}

async fn server_within<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    key: &ClusterKey,
    limit: Duration,
) -> Result<(), HandshakeError> {
    timed(limit, async {
        let ours = nonce()?;
        // A peer already gone when we greet it had sent nothing: a probe.
        if stream.write_all(&hello(&ours)).await.is_err() {
            return Err(HandshakeError::Closed);
        }
        let (version, theirs) = parse_hello(&read_hello(stream).await?)?;
        if version != VERSION {
            let _ = stream.write_all(&[REFUSED_VERSION]).await;
            return Err(HandshakeError::Version {
                ours: VERSION,
                theirs: version,
            });
        }
        let mut client_proof = [0u8; PROOF_BYTES];
        stream.read_exact(&mut client_proof).await?;
        if !verify(key, Role::Client, &theirs, &ours, &client_proof) {
            let _ = stream.write_all(&[REFUSED_KEY]).await;
            return Err(HandshakeError::ClientNotAuthenticated);
        }
        let mut reply = [0u8; 1 + PROOF_BYTES];
        reply[0] = ACCEPT;
        reply[1..].copy_from_slice(&proof(key, Role::Server, &ours, &theirs));
        stream.write_all(&reply).await?;
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a client with `ck` against a server with `sk` over an in-memory pipe.
    async fn pair(
        ck: &ClusterKey,
        sk: &ClusterKey,
    ) -> (Result<(), HandshakeError>, Result<(), HandshakeError>) {
        let (mut a, mut b) = tokio::io::duplex(1024);
        tokio::join!(client(&mut a, ck), server(&mut b, sk))
    }

    fn key(s: &str) -> ClusterKey {
        ClusterKey::from_bytes(s.as_bytes())
    }

    #[tokio::test]
    async fn the_same_key_on_both_sides_is_accepted() {
        let (c, s) = pair(&key("k1k1k1k1k1k1k1k1"), &key("k1k1k1k1k1k1k1k1")).await;
        assert!(c.is_ok() && s.is_ok(), "{c:?} {s:?}");
    }

    #[tokio::test]
    async fn a_wrong_key_is_refused_on_both_sides() {
        let (c, s) = pair(&key("k1k1k1k1k1k1k1k1"), &key("k2k2k2k2k2k2k2k2")).await;
        assert!(matches!(c, Err(HandshakeError::Refused)), "{c:?}");
        assert!(
            matches!(s, Err(HandshakeError::ClientNotAuthenticated)),
            "{s:?}"
        );
    }

    #[tokio::test]
    async fn garbage_instead_of_a_hello_is_not_fbatch() {
        let (mut a, mut b) = tokio::io::duplex(1024);
        let garbage = async {
            a.write_all(b"GET / HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\n")
                .await
                .unwrap();
            let mut sink = Vec::new();
            let _ = a.read_to_end(&mut sink).await;
        };
        let (_, s) = tokio::join!(garbage, async {
            let r = server(&mut b, &key("k1k1k1k1k1k1k1k1")).await;
            drop(b);
            r
        });
        assert!(matches!(s, Err(HandshakeError::NotFbatch)), "{s:?}");
    }

    #[tokio::test]
    async fn a_client_that_hangs_up_at_once_or_midway_is_told_apart() {
        let (a, mut b) = tokio::io::duplex(1024);
        drop(a);
        let s = server(&mut b, &key("k1k1k1k1k1k1k1k1")).await;
        assert!(matches!(s, Err(HandshakeError::Closed)), "{s:?}");
        let (mut a, mut b) = tokio::io::duplex(1024);
        let k = key("k1k1k1k1k1k1k1k1");
        let midway = async move {
            a.write_all(b"fbat").await.unwrap();
            let mut h = [0u8; HELLO_BYTES];
            a.read_exact(&mut h).await.unwrap();
        };
        let (_, s) = tokio::join!(midway, server(&mut b, &k));
        assert!(matches!(s, Err(HandshakeError::Io(_))), "{s:?}");
    }

    #[tokio::test]
    async fn a_silent_client_times_out() {
        let (_a, mut b) = tokio::io::duplex(1024);
        let limit = Duration::from_millis(100);
        let s = server_within(&mut b, &key("k1k1k1k1k1k1k1k1"), limit).await;
        assert!(matches!(s, Err(HandshakeError::Timeout)), "{s:?}");
    }

    #[tokio::test]
    async fn a_server_echoing_the_clients_proof_is_not_authenticated() {
        // An impostor without the key reflects the client's own hello and proof.
        let (mut a, mut b) = tokio::io::duplex(1024);
        let impostor = async {
            let mut h = [0u8; HELLO_BYTES];
            b.read_exact(&mut h).await.unwrap();
            b.write_all(&h).await.unwrap();
            let mut p = [0u8; PROOF_BYTES];
            b.read_exact(&mut p).await.unwrap();
            b.write_all(&[ACCEPT]).await.unwrap();
            b.write_all(&p).await.unwrap();
        };
        let k = key("k1k1k1k1k1k1k1k1");
        let (c, _) = tokio::join!(client(&mut a, &k), impostor);
        assert!(
            matches!(c, Err(HandshakeError::ServerNotAuthenticated)),
            "{c:?}"
        );
    }

    #[tokio::test]
    async fn another_protocol_version_is_refused() {
        let (mut a, mut b) = tokio::io::duplex(1024);
        let old_client = async {
            let mut h = hello(&[0; NONCE_BYTES]);
            h[MAGIC.len() + 1] = 9;
            a.write_all(&h).await.unwrap();
            let mut reply = vec![0u8; HELLO_BYTES + 1];
            a.read_exact(&mut reply).await.unwrap();
            reply[HELLO_BYTES]
        };
        let k = key("k1k1k1k1k1k1k1k1");
        let (verdict, s) = tokio::join!(old_client, server(&mut b, &k));
        assert_eq!(verdict, REFUSED_VERSION);
        assert!(
            matches!(s, Err(HandshakeError::Version { theirs: 9, .. })),
            "{s:?}"
        );
    }
}
