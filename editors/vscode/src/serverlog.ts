// What the server writes to stderr, and what its failed requests say, made fit for the log and for the user.
// vscode-languageclient logs every stderr line as an error; the server writes `tracing` lines
// (`2026-01-01T00:00:00.000000Z  INFO qwen_lsp::loader: loaded ... in 1.0 s`), whose level says where each
// belongs. Knows nothing about `vscode`.

export type Level = "trace" | "debug" | "info" | "warn" | "error";

const LEVELS: Record<string, Level> = { TRACE: "trace", DEBUG: "debug", INFO: "info", WARN: "warn", ERROR: "error" };

/**
 * The level and the text of one stderr line. A `tracing` line loses its timestamp and level (the log adds
 * its own); anything else (a panic, a message from a library) is an error, as it was.
 */
export function parseLogLine(line: string): { level: Level; text: string } {
  const m = /^(?:\S+\s+)?(TRACE|DEBUG|INFO|WARN|ERROR)\s+(.*)$/.exec(line.trimEnd());
  if (m && (m[0].startsWith(m[1]) || /^\d{4}-\d\d-\d\dT/.test(line))) {
    return { level: LEVELS[m[1]], text: m[2] };
  }
  return { level: "error", text: line };
}

/**
 * What to tell the user when a code action could not be resolved: the server's own sentence, without the
 * JSON-RPC error code VS Code would otherwise show ("Request codeAction/resolve failed with message: ...").
 * `undefined` for a cancellation or a stale document, which need no message.
 */
export function describeFailure(error: unknown): string | undefined {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === "number" ? e.code : undefined;
  // RequestCancelled, ContentModified, ServerCancelled; and the client's own "Canceled".
  if (code === -32800 || code === -32801 || code === -32802 || (e as { name?: string })?.name === "Canceled") {
    return undefined;
  }
  const message = typeof e?.message === "string" && e.message.trim() !== "" ? e.message.trim() : String(error);
  return message.startsWith("qwen-lsp") ? message : `qwen-lsp: ${message}`;
}
