//! Bounded stdout/stderr for the guest, kept in memory or streamed to the host: writing past the cap
//! traps, ending the run.
//!
//! `wasmtime_wasi`'s `MemoryOutputPipe` answers a full buffer with "closed", which the guest sees as
//! a `BrokenPipeError` it can catch and ignore while it keeps looping; a trap cannot be caught.

use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use bytes::Bytes;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError, StreamResult};

/// A cloneable handle on one captured stream.
#[derive(Clone, Debug)]
pub(crate) struct CappedPipe {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    buffer: Vec<u8>,
    capacity: usize,
    overflowed: bool,
}

impl CappedPipe {
    pub(crate) fn new(capacity: usize) -> Self {
        let state = State {
            buffer: Vec::new(),
            capacity,
            overflowed: false,
        };
        CappedPipe {
            state: Arc::new(Mutex::new(state)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means another writer panicked mid-append; the bytes are still valid.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends what fits; returns false (and remembers it) when `bytes` did not fit entirely.
    fn append(&self, bytes: &[u8]) -> bool {
        let mut state = self.lock();
        let room = state.capacity.saturating_sub(state.buffer.len());
        let taken = bytes.len().min(room);
        state.buffer.extend_from_slice(&bytes[..taken]);
        if taken < bytes.len() {
            state.overflowed = true;
        }
        !state.overflowed
    }

    /// Whether the guest tried to write more than the cap.
    pub(crate) fn overflowed(&self) -> bool {
        self.lock().overflowed
    }

    /// The captured text; invalid UTF-8 (possible at the cap or from binary writes) is replaced.
    pub(crate) fn contents(&self) -> String {
        String::from_utf8_lossy(&self.lock().buffer).into_owned()
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for CappedPipe {
    async fn ready(&mut self) {}
}

impl OutputStream for CappedPipe {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        if self.append(&bytes) {
            Ok(())
        } else {
            Err(StreamError::trap("output limit exceeded"))
        }
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        // Always grant a write: the one that crosses the cap is the one that traps.
        Ok(64 * 1024)
    }
}

impl tokio::io::AsyncWrite for CappedPipe {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.append(buf) {
            Poll::Ready(Ok(buf.len()))
        } else {
            Poll::Ready(Err(std::io::Error::other("output limit exceeded")))
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl IsTerminal for CappedPipe {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CappedPipe {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

/// A guest's stdout handed to the host as it is written, for a request/response channel: each
/// write goes to an unbounded queue the host drains. Writing more than `capacity` bytes in all
/// traps, ending the run, so a guest cannot flood the host.
#[derive(Clone, Debug)]
pub(crate) struct ChannelPipe {
    sender: tokio::sync::mpsc::UnboundedSender<Bytes>,
    state: Arc<Mutex<ChannelState>>,
}

#[derive(Debug)]
struct ChannelState {
    sent: usize,
    capacity: usize,
    overflowed: bool,
}

impl ChannelPipe {
    pub(crate) fn new(capacity: usize) -> (Self, tokio::sync::mpsc::UnboundedReceiver<Bytes>) {
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        let state = ChannelState {
            sent: 0,
            capacity,
            overflowed: false,
        };
        let pipe = ChannelPipe {
            sender,
            state: Arc::new(Mutex::new(state)),
        };
        (pipe, receiver)
    }

    fn lock(&self) -> MutexGuard<'_, ChannelState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A handle that only reports [`ChannelPipe::overflowed`]: unlike the pipe, it does not keep
    /// the channel open.
    pub(crate) fn overflow_flag(&self) -> OverflowFlag {
        OverflowFlag(Arc::clone(&self.state))
    }

    fn send(&self, bytes: Bytes) -> bool {
        let mut state = self.lock();
        if state.overflowed || state.sent.saturating_add(bytes.len()) > state.capacity {
            state.overflowed = true;
            return false;
        }
        state.sent += bytes.len();
        // A closed receiver means the host stopped listening: the bytes have nowhere to go.
        let _ = self.sender.send(bytes);
        true
    }
}

/// Whether a [`ChannelPipe`]'s guest tried to write past its capacity.
#[derive(Clone, Debug)]
pub(crate) struct OverflowFlag(Arc<Mutex<ChannelState>>);

impl OverflowFlag {
    pub(crate) fn overflowed(&self) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .overflowed
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for ChannelPipe {
    async fn ready(&mut self) {}
}

impl OutputStream for ChannelPipe {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        if self.send(bytes) {
            Ok(())
        } else {
            Err(StreamError::trap("output limit exceeded"))
        }
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 * 1024)
    }
}

impl tokio::io::AsyncWrite for ChannelPipe {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.send(Bytes::copy_from_slice(buf)) {
            Poll::Ready(Ok(buf.len()))
        } else {
            Poll::Ready(Err(std::io::Error::other("output limit exceeded")))
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl IsTerminal for ChannelPipe {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for ChannelPipe {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_fits_and_reports_the_overflow() {
        let mut pipe = CappedPipe::new(5);
        assert!(pipe.write(Bytes::from_static(b"abc")).is_ok());
        assert!(!pipe.overflowed());
        assert!(pipe.write(Bytes::from_static(b"defg")).is_err());
        assert!(pipe.overflowed());
        assert_eq!(pipe.contents(), "abcde");
        // Once over, every later write fails too, even an empty one.
        assert!(pipe.write(Bytes::new()).is_err());
    }
}
