//! The stdio transport around tower-lsp: frames are checked here before tower-lsp sees them, so a
//! malformed message is answered with a JSON-RPC error and the server keeps serving.
//!
//! Why: tower-lsp-server 0.23 reads stdin through tokio-util's `FramedRead`, which ends the stream
//! after the first decode error; one message with broken JSON (or valid JSON that is not JSON-RPC)
//! would end the session. Here, only well-formed messages reach tower-lsp; the others get a
//! `ParseError` (-32700) or `InvalidRequest` (-32600) response, written between tower-lsp's own frames.

use serde_json::{Value, json};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tower_lsp_server::{ClientSocket, LspService, jsonrpc};

use crate::server::Server;

/// The largest message body accepted (a whole-file `didOpen` of a large file fits many times over);
/// a bigger one is skipped and answered with an error instead of being buffered.
const MAX_BODY: usize = 256 << 20;

/// Pipe capacity between this transport and tower-lsp.
const PIPE_BYTES: usize = 1 << 16;

/// One framed message read from a stream.
#[derive(Debug, PartialEq)]
enum Frame {
    Body(Vec<u8>),
    /// The header was unusable (no or bad `Content-Length`, body too large); the bytes were skipped.
    BadHeader(String),
}

/// Serves `service` on `input`/`output` through the checking transport.
pub async fn serve(
    input: impl AsyncRead + Unpin + Send + 'static,
    output: impl AsyncWrite + Unpin + Send + 'static,
    service: LspService<Server>,
    socket: ClientSocket,
    concurrency: usize,
) {
    let (to_server, server_in) = tokio::io::duplex(PIPE_BYTES);
    let (server_out, from_server) = tokio::io::duplex(PIPE_BYTES);
    let (errors_tx, errors_rx) = mpsc::unbounded_channel();

    let writer = tokio::spawn(write_output(BufReader::new(from_server), errors_rx, output));
    let reader = tokio::spawn(read_input(BufReader::new(input), to_server, errors_tx));
    tower_lsp_server::Server::new(server_in, server_out, socket).concurrency_level(concurrency).serve(service).await;
    // tower-lsp returns after `exit` (or when its input ends). Its output pipe is closed now, so the
    // writer drains what is left and finishes; the reader may be blocked on stdin and is abandoned.
    reader.abort();
    let _ = writer.await;
}

/// Copies well-formed messages from `input` to tower-lsp; answers the others through `errors`.
async fn read_input(
    mut input: impl AsyncBufRead + Unpin,
    mut to_server: impl AsyncWrite + Unpin,
    errors: mpsc::UnboundedSender<Value>,
) {
    loop {
        let frame = match read_frame(&mut input).await {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(error) => {
                tracing::error!("cannot read the client's messages: {error}");
                break;
            }
        };
        let body = match frame {
            Frame::Body(body) => body,
            Frame::BadHeader(why) => {
                tracing::warn!("malformed message header: {why}");
                let _ = errors.send(error_response(Value::Null, -32700, &format!("malformed message header: {why}")));
                continue;
            }
        };
        if let Some(error) = check(&body) {
            tracing::warn!("rejected a malformed message: {}", error["error"]["message"]);
            let _ = errors.send(error);
            continue;
        }
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        let forwarded = async {
            to_server.write_all(header.as_bytes()).await?;
            to_server.write_all(&body).await?;
            to_server.flush().await
        };
        if forwarded.await.is_err() {
            break; // tower-lsp has stopped (after `exit`).
        }
    }
    // Closing the pipe tells tower-lsp the client is gone, as a closed stdin would.
    let _ = to_server.shutdown().await;
}

/// The error response for a body tower-lsp would choke on, or `None` when it is a JSON-RPC message.
fn check(body: &[u8]) -> Option<Value> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => return Some(error_response(Value::Null, -32700, &format!("invalid JSON: {error}"))),
    };
    let is_message = serde_json::from_value::<jsonrpc::Response>(value.clone()).is_ok()
        || serde_json::from_value::<jsonrpc::Request>(value.clone()).is_ok();
    if is_message {
        return None;
    }
    // Answer with the request's id when it has a usable one, as JSON-RPC asks.
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    Some(error_response(id, -32600, "not a JSON-RPC 2.0 request, notification or response"))
}

fn error_response(id: Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "error": { "code": code, "message": message }, "id": id })
}

/// Writes tower-lsp's frames and the transport's error responses to `output`, whole frames only.
async fn write_output(
    mut from_server: impl AsyncBufRead + Unpin,
    mut errors: mpsc::UnboundedReceiver<Value>,
    mut output: impl AsyncWrite + Unpin,
) {
    let mut errors_open = true;
    loop {
        let body = tokio::select! {
            frame = read_frame(&mut from_server) => match frame {
                Ok(Some(Frame::Body(body))) => body,
                // tower-lsp writes well-formed frames; anything else means it is gone.
                Ok(Some(Frame::BadHeader(_)) | None) | Err(_) => break,
            },
            error = errors.recv(), if errors_open => match error {
                Some(error) => serde_json::to_vec(&error).unwrap_or_default(),
                None => {
                    errors_open = false;
                    continue;
                }
            },
        };
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        let written = async {
            output.write_all(header.as_bytes()).await?;
            output.write_all(&body).await?;
            output.flush().await
        };
        if written.await.is_err() {
            break; // The client closed our stdout.
        }
    }
}

/// Reads one `Content-Length` frame. `Ok(None)` at the end of the stream.
async fn read_frame(input: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Option<Frame>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        if input.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if saw_header {
                break;
            }
            continue; // Blank lines between frames are tolerated.
        }
        saw_header = true;
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(value.trim().parse::<usize>().map_err(|e| format!("Content-Length {value:?}: {e}")));
        }
    }
    let length = match length {
        None => return Ok(Some(Frame::BadHeader("no Content-Length".to_owned()))),
        Some(Err(why)) => return Ok(Some(Frame::BadHeader(why))),
        Some(Ok(length)) => length,
    };
    if length > MAX_BODY {
        let skipped = tokio::io::copy(&mut input.take(length as u64), &mut tokio::io::sink()).await?;
        return Ok(Some(Frame::BadHeader(format!("a {skipped}-byte message is larger than {MAX_BODY} bytes"))));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body).await?;
    Ok(Some(Frame::Body(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(bytes: &[u8]) -> Vec<Frame> {
        let mut input = BufReader::new(bytes);
        let mut out = Vec::new();
        while let Some(frame) = read_frame(&mut input).await.expect("in-memory reads succeed") {
            out.push(frame);
        }
        out
    }

    #[tokio::test]
    async fn frames_are_split_by_content_length() {
        let got = frames(b"Content-Length: 2\r\n\r\n{}Content-Type: x\r\ncontent-length: 3\r\n\r\n[1]").await;
        assert_eq!(got, [Frame::Body(b"{}".to_vec()), Frame::Body(b"[1]".to_vec())]);
    }

    #[tokio::test]
    async fn bad_headers_are_reported_and_skipped() {
        let got = frames(b"Content-Length: lots\r\n\r\nX-Foo: 1\r\n\r\nContent-Length: 1\r\n\r\n1").await;
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(matches!(&got[0], Frame::BadHeader(why) if why.contains("lots")), "{got:?}");
        assert_eq!(got[1], Frame::BadHeader("no Content-Length".to_owned()));
        assert_eq!(got[2], Frame::Body(b"1".to_vec()));
    }

    #[test]
    fn only_json_rpc_messages_pass() {
        assert_eq!(check(br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#), None);
        assert_eq!(check(br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#), None);
        assert_eq!(check(br#"{"jsonrpc":"2.0","id":3,"result":null}"#), None);
        let parse = check(br#"{"jsonrpc":"2.0","id":1,"method":"#).expect("rejected");
        assert_eq!((parse["id"].clone(), parse["error"]["code"].clone()), (Value::Null, json!(-32700)));
        let invalid = check(br#"{"jsonrpc":"1.0","id":7,"method":"x"}"#).expect("rejected");
        assert_eq!((invalid["id"].clone(), invalid["error"]["code"].clone()), (json!(7), json!(-32600)));
        let invalid = check(br#"[1, 2]"#).expect("rejected");
        assert_eq!(invalid["error"]["code"], -32600);
    }
}
