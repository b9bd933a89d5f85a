//! The stdio transport around tower-lsp: frames are checked here before tower-lsp sees them, so a
//! malformed message is answered with a JSON-RPC error and the server keeps serving.
//!
//! Why: tower-lsp-server 0.23 reads stdin through tokio-util's `FramedRead`, which ends the stream
//! after the first decode error; one message with broken JSON (or valid JSON that is not JSON-RPC)
//! would end the session. Here, only well-formed messages reach tower-lsp; the others get a
//! `ParseError` (-32700) or `InvalidRequest` (-32600) response.
//!
//! Three tasks, each owning one stream, joined by one channel of whole frames:
//! - the reader decodes stdin with [`FrameCodec`] and forwards good frames to tower-lsp, bad ones as
//!   error responses to the channel;
//! - the pump decodes tower-lsp's output and sends its frames to the channel;
//! - the writer is the only one that writes stdout, a whole frame at a time.
//!
//! Nothing waits on two streams at once, so no half-read frame can be dropped by a `select!` that
//! another branch won (the bug that muted the server for good: issue 16). The codec's buffer lives in
//! its `FramedRead`, so even a cancelled read would lose nothing.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tokio_util::bytes::{Buf, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder, FramedRead, FramedWrite};
use tower_lsp_server::{ClientSocket, LanguageServer, LspService, jsonrpc};

/// The largest message body accepted (a whole-file `didOpen` of a large file fits many times over);
/// a bigger one is skipped and answered with an error instead of being buffered.
const MAX_BODY: usize = 256 << 20;

/// The longest header line kept; a longer one is skipped to its end and reported.
const MAX_HEADER_LINE: usize = 8 << 10;

/// Pipe capacity between this transport and tower-lsp.
const PIPE_BYTES: usize = 1 << 16;

/// Whole frames waiting for stdout. Bounded, so a client that stops reading slows the server down
/// instead of growing its memory.
const OUTGOING_FRAMES: usize = 64;

/// One framed message read from a stream.
#[derive(Debug, PartialEq)]
pub enum Frame {
    Body(Bytes),
    /// The header was unusable (no or bad `Content-Length`, body too large); the bytes were skipped.
    BadHeader(String),
}

/// `Content-Length` framing as a tokio-util codec. Decoding never fails on bad input: a broken header
/// is an item ([`Frame::BadHeader`]), so the stream goes on with the next frame.
#[derive(Debug, Default)]
pub struct FrameCodec {
    state: State,
}

#[derive(Debug, Default)]
enum State {
    /// Reading header lines.
    #[default]
    Header,
    /// Header lines read so far: whether any was seen, and the `Content-Length` if one was.
    InHeader {
        length: Option<Result<usize, String>>,
    },
    /// Skipping the rest of a header line that was too long.
    LongLine,
    /// Waiting for a body of this many bytes.
    Body(usize),
    /// Discarding a body that was too large: bytes left, then the report.
    Skip(usize, String),
}

impl Decoder for FrameCodec {
    type Item = Frame;
    type Error = std::io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> std::io::Result<Option<Frame>> {
        loop {
            match std::mem::take(&mut self.state) {
                State::Body(length) => {
                    if src.len() < length {
                        src.reserve(length - src.len());
                        self.state = State::Body(length);
                        return Ok(None);
                    }
                    return Ok(Some(Frame::Body(src.split_to(length).freeze())));
                }
                State::Skip(left, why) => {
                    let n = left.min(src.len());
                    src.advance(n);
                    if n < left {
                        self.state = State::Skip(left - n, why);
                        return Ok(None);
                    }
                    return Ok(Some(Frame::BadHeader(why)));
                }
                State::LongLine => {
                    let Some(end) = src.iter().position(|&b| b == b'\n') else {
                        src.clear();
                        self.state = State::LongLine;
                        return Ok(None);
                    };
                    src.advance(end + 1);
                    return Ok(Some(Frame::BadHeader(format!(
                        "a header line is longer than {MAX_HEADER_LINE} bytes"
                    ))));
                }
                state @ (State::Header | State::InHeader { .. }) => {
                    let Some(end) = src.iter().position(|&b| b == b'\n') else {
                        if src.len() > MAX_HEADER_LINE {
                            src.clear();
                            self.state = State::LongLine;
                            continue;
                        }
                        self.state = state;
                        return Ok(None);
                    };
                    if end > MAX_HEADER_LINE {
                        src.advance(end + 1);
                        return Ok(Some(Frame::BadHeader(format!(
                            "a header line is longer than {MAX_HEADER_LINE} bytes"
                        ))));
                    }
                    let line = src.split_to(end + 1);
                    let line = String::from_utf8_lossy(&line);
                    let line = line.trim_end_matches(['\r', '\n']);
                    let length = match state {
                        State::InHeader { length } => length,
                        _ if line.is_empty() => continue, // Blank lines between frames are tolerated.
                        _ => None,
                    };
                    if !line.is_empty() {
                        let length = match line.split_once(':') {
                            Some((name, value))
                                if name.trim().eq_ignore_ascii_case("content-length") =>
                            {
                                Some(
                                    value
                                        .trim()
                                        .parse::<usize>()
                                        .map_err(|e| format!("Content-Length {value:?}: {e}")),
                                )
                            }
                            _ => length,
                        };
                        self.state = State::InHeader { length };
                        continue;
                    }
                    match length {
                        None => return Ok(Some(Frame::BadHeader("no Content-Length".to_owned()))),
                        Some(Err(why)) => return Ok(Some(Frame::BadHeader(why))),
                        Some(Ok(length)) if length > MAX_BODY => {
                            let why =
                                format!("a {length}-byte message is larger than {MAX_BODY} bytes");
                            self.state = State::Skip(length, why);
                        }
                        Some(Ok(length)) => self.state = State::Body(length),
                    }
                }
            }
        }
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> std::io::Result<Option<Frame>> {
        match self.decode(src)? {
            Some(frame) => Ok(Some(frame)),
            // A frame cut short by the end of the stream is dropped: nobody is left to answer.
            None => {
                src.clear();
                Ok(None)
            }
        }
    }
}

impl Encoder<Bytes> for FrameCodec {
    type Error = std::io::Error;

    fn encode(&mut self, body: Bytes, dst: &mut BytesMut) -> std::io::Result<()> {
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        dst.reserve(header.len() + body.len());
        dst.extend_from_slice(header.as_bytes());
        dst.extend_from_slice(&body);
        Ok(())
    }
}

/// Serves `service` on `input`/`output` through the checking transport.
pub async fn serve<S: LanguageServer>(
    input: impl AsyncRead + Unpin + Send + 'static,
    output: impl AsyncWrite + Unpin + Send + 'static,
    service: LspService<S>,
    socket: ClientSocket,
    concurrency: usize,
) {
    let (to_server, server_in) = tokio::io::duplex(PIPE_BYTES);
    let (server_out, from_server) = tokio::io::duplex(PIPE_BYTES);
    let (outgoing, frames) = mpsc::channel(OUTGOING_FRAMES);

    let writer = tokio::spawn(write_output(frames, output));
    let pump = tokio::spawn(pump_server_output(from_server, outgoing.clone()));
    let reader = tokio::spawn(read_input(input, to_server, outgoing));
    tower_lsp_server::Server::new(server_in, server_out, socket)
        .concurrency_level(concurrency)
        .serve(service)
        .await;
    // tower-lsp returns after `exit` (or when its input ends). Its output pipe is closed now, so the
    // pump sends what is left and ends; the reader may be blocked on stdin and is abandoned. The writer
    // ends when both have dropped their senders, after writing every frame they sent.
    reader.abort();
    let _ = pump.await;
    let _ = writer.await;
}

/// Copies well-formed messages from `input` to tower-lsp; answers the others through `outgoing`.
async fn read_input(
    input: impl AsyncRead + Unpin,
    to_server: impl AsyncWrite + Unpin,
    outgoing: mpsc::Sender<Bytes>,
) {
    let mut frames = FramedRead::new(input, FrameCodec::default());
    let mut to_server = FramedWrite::new(to_server, FrameCodec::default());
    while let Some(frame) = frames.next().await {
        let body = match frame {
            Ok(Frame::Body(body)) => body,
            Ok(Frame::BadHeader(why)) => {
                tracing::warn!("malformed message header: {why}");
                let error = error_response(
                    Value::Null,
                    -32700,
                    &format!("malformed message header: {why}"),
                );
                if outgoing.send(error).await.is_err() {
                    break;
                }
                continue;
            }
            Err(error) => {
                tracing::error!("cannot read the client's messages: {error}");
                break;
            }
        };
        if let Some(error) = check(&body) {
            tracing::warn!("rejected a malformed message ({} bytes)", body.len());
            if outgoing.send(error).await.is_err() {
                break;
            }
            continue;
        }
        if to_server.send(body).await.is_err() {
            break; // tower-lsp has stopped (after `exit`).
        }
    }
    // Closing the pipe tells tower-lsp the client is gone, as a closed stdin would.
    let _ = to_server.close().await;
}

/// Sends tower-lsp's frames, whole, to the writer.
async fn pump_server_output(from_server: impl AsyncRead + Unpin, outgoing: mpsc::Sender<Bytes>) {
    let mut frames = FramedRead::new(from_server, FrameCodec::default());
    while let Some(frame) = frames.next().await {
        match frame {
            Ok(Frame::Body(body)) => {
                if outgoing.send(body).await.is_err() {
                    break;
                }
            }
            // tower-lsp writes well-formed frames; anything else means it is gone.
            Ok(Frame::BadHeader(_)) | Err(_) => break,
        }
    }
}

/// The only writer of `output`: one whole frame at a time, in the order they were queued.
async fn write_output(mut frames: mpsc::Receiver<Bytes>, output: impl AsyncWrite + Unpin) {
    let mut output = FramedWrite::new(output, FrameCodec::default());
    while let Some(body) = frames.recv().await {
        if output.send(body).await.is_err() {
            break; // The client closed our stdout.
        }
    }
}

/// The error response for a body tower-lsp would choke on, or `None` when it is a JSON-RPC message.
/// Parsed straight from the bytes (no intermediate `Value` copies of a large `didOpen`).
fn check(body: &[u8]) -> Option<Bytes> {
    if serde_json::from_slice::<jsonrpc::Request>(body).is_ok()
        || serde_json::from_slice::<jsonrpc::Response>(body).is_ok()
    {
        return None;
    }
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            return Some(error_response(
                Value::Null,
                -32700,
                &format!("invalid JSON: {error}"),
            ));
        }
    };
    // Answer with the request's id when it has a usable one, as JSON-RPC asks.
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    Some(error_response(
        id,
        -32600,
        "not a JSON-RPC 2.0 request, notification or response",
    ))
}

fn error_response(id: Value, code: i64, message: &str) -> Bytes {
    let value =
        json!({ "jsonrpc": "2.0", "error": { "code": code, "message": message }, "id": id });
    Bytes::from(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `bytes` fed in pieces of `step` bytes, as a pipe might deliver them.
    fn frames_in_steps(bytes: &[u8], step: usize) -> Vec<Frame> {
        let mut codec = FrameCodec::default();
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        for piece in bytes.chunks(step) {
            buf.extend_from_slice(piece);
            while let Some(frame) = codec.decode(&mut buf).expect("decoding never fails") {
                out.push(frame);
            }
        }
        while let Some(frame) = codec.decode_eof(&mut buf).expect("decoding never fails") {
            out.push(frame);
        }
        out
    }

    fn frames(bytes: &[u8]) -> Vec<Frame> {
        let whole = frames_in_steps(bytes, bytes.len().max(1));
        for step in [1, 2, 3, 7] {
            assert_eq!(
                frames_in_steps(bytes, step),
                whole,
                "split every {step} bytes"
            );
        }
        whole
    }

    fn body(s: &str) -> Frame {
        Frame::Body(Bytes::copy_from_slice(s.as_bytes()))
    }

    #[test]
    fn frames_are_split_by_content_length() {
        let got =
            frames(b"Content-Length: 2\r\n\r\n{}Content-Type: x\r\ncontent-length: 3\r\n\r\n[1]");
        assert_eq!(got, [body("{}"), body("[1]")]);
    }

    #[test]
    fn bad_headers_are_reported_and_skipped() {
        let got = frames(b"Content-Length: lots\r\n\r\nX-Foo: 1\r\n\r\nContent-Length: 1\r\n\r\n1");
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(
            matches!(&got[0], Frame::BadHeader(why) if why.contains("lots")),
            "{got:?}"
        );
        assert_eq!(got[1], Frame::BadHeader("no Content-Length".to_owned()));
        assert_eq!(got[2], body("1"));
    }

    #[test]
    fn an_endless_header_line_is_skipped_not_buffered() {
        let mut bytes = vec![b'x'; 3 * MAX_HEADER_LINE];
        bytes.extend_from_slice(b"\r\n\r\nContent-Length: 2\r\n\r\n{}");
        let got = frames(&bytes);
        assert!(
            matches!(&got[0], Frame::BadHeader(why) if why.contains("longer than")),
            "{got:?}"
        );
        assert_eq!(got.last(), Some(&body("{}")), "{got:?}");
    }

    #[test]
    fn a_body_over_the_limit_is_skipped_and_reported() {
        let mut codec = FrameCodec::default();
        let mut buf =
            BytesMut::from(format!("Content-Length: {}\r\n\r\n", MAX_BODY + 1).as_bytes());
        assert_eq!(codec.decode(&mut buf).expect("decodes"), None);
        buf.extend_from_slice(&vec![b' '; MAX_BODY + 1]);
        buf.extend_from_slice(b"Content-Length: 2\r\n\r\n{}");
        let first = codec.decode(&mut buf).expect("decodes");
        assert!(
            matches!(&first, Some(Frame::BadHeader(why)) if why.contains("larger than")),
            "{first:?}"
        );
        assert_eq!(codec.decode(&mut buf).expect("decodes"), Some(body("{}")));
    }

    #[test]
    fn only_json_rpc_messages_pass() {
        let parsed = |b: &[u8]| -> Value {
            serde_json::from_slice(&check(b).expect("rejected")).expect("JSON")
        };
        assert_eq!(
            check(br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#),
            None
        );
        assert_eq!(
            check(br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
            None
        );
        assert_eq!(check(br#"{"jsonrpc":"2.0","id":3,"result":null}"#), None);
        let parse = parsed(br#"{"jsonrpc":"2.0","id":1,"method":"#);
        assert_eq!(
            (parse["id"].clone(), parse["error"]["code"].clone()),
            (Value::Null, json!(-32700))
        );
        let invalid = parsed(br#"{"jsonrpc":"1.0","id":7,"method":"x"}"#);
        assert_eq!(
            (invalid["id"].clone(), invalid["error"]["code"].clone()),
            (json!(7), json!(-32600))
        );
        assert_eq!(parsed(br#"[1, 2]"#)["error"]["code"], -32600);
    }
}
