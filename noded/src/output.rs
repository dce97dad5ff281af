//! Rank output: every rank's stdout and stderr go to the job's one output file,
//! a line at a time, so lines from different ranks never interleave mid-line
//! (srun's behaviour). Each stream buffers its partial last line until a newline
//! arrives or the rank ends.

use bytes::Bytes;
use std::io::Write;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError, StreamResult};

/// A partial line longer than this is written without waiting for its newline.
const MAX_PENDING: usize = 64 * 1024;

struct LineBuf {
    file: Arc<std::fs::File>,
    pending: Vec<u8>,
}

impl LineBuf {
    fn push(&mut self, data: &[u8]) -> std::io::Result<()> {
        self.pending.extend_from_slice(data);
        let cut = match self.pending.iter().rposition(|b| *b == b'\n') {
            Some(pos) => pos + 1,
            None if self.pending.len() >= MAX_PENDING => self.pending.len(),
            None => return Ok(()),
        };
        // One write(2) on an O_APPEND file: whole lines land contiguously.
        (&*self.file).write_all(&self.pending[..cut])?;
        self.pending.drain(..cut);
        Ok(())
    }

    fn finish(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            (&*self.file).write_all(&self.pending)?;
            self.pending.clear();
        }
        Ok(())
    }
}

/// One rank's stdout or stderr, writing whole lines to the job's output file.
#[derive(Clone)]
pub struct RankOutput {
    inner: Arc<Mutex<LineBuf>>,
}

impl RankOutput {
    /// A stream into `file` (opened with O_APPEND, shared by all ranks).
    pub fn new(file: Arc<std::fs::File>) -> RankOutput {
        RankOutput {
            inner: Arc::new(Mutex::new(LineBuf {
                file,
                pending: Vec::new(),
            })),
        }
    }

    /// Writes out a trailing partial line (when the rank ends).
    pub fn finish(&self) {
        let _ = self.inner.lock().expect("output lock").finish();
    }

    fn push(&self, data: &[u8]) -> std::io::Result<()> {
        self.inner.lock().expect("output lock").push(data)
    }
}

impl IsTerminal for RankOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for RankOutput {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[async_trait::async_trait]
impl Pollable for RankOutput {
    async fn ready(&mut self) {}
}

impl OutputStream for RankOutput {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.push(&bytes)
            .map_err(|e| StreamError::LastOperationFailed(wasmtime::format_err!(e)))
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(1 << 20)
    }
}

impl tokio::io::AsyncWrite for RankOutput {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Poll::Ready(self.push(buf).map(|_| buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_lines_wait_for_their_newline_or_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        let file = Arc::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .unwrap(),
        );
        let a = RankOutput::new(file.clone());
        let b = RankOutput::new(file);
        a.push(b"hello from ").unwrap();
        b.push(b"rank 1\n").unwrap();
        a.push(b"rank 0\nand a tail").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "rank 1\nhello from rank 0\n"
        );
        a.finish();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "rank 1\nhello from rank 0\nand a tail"
        );
    }
}
