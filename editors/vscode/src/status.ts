// The status bar's state machine: events from the client (process started, work-done progress while the
// model loads, the model's state as the server reports it, inline-completion requests in flight, dropped
// suggestions, failures) in, one displayable state out.
// Knows nothing about `vscode`, so every transition is unit-tested with Node alone.

export type Phase = "off" | "starting" | "loading" | "ready" | "generating" | "noModel" | "error";

export interface StatusState {
  phase: Phase;
  /** The client finished the initialize handshake. */
  running: boolean;
  /** Work-done progress tokens the server has begun and not ended (model load, download). */
  progress: Map<string, { title: string; message?: string; percentage?: number }>;
  /** Inline-completion requests sent and not yet answered. */
  inFlight: number;
  /** Set in the `error` phase. */
  error?: string;
  /**
   * The model as the server last reported it (`qwen-lsp/status`): `unknown` until it says, and again from the
   * start of each load. Never `ready` on the strength of a finished progress report alone: a failed load ends
   * its progress too.
   */
  model: "unknown" | "ready" | "failed";
  /** Why the last load failed (`model` is `failed`). */
  modelError?: string;
  /** Why the last suggestion was not shown (the server dropped it); cleared by the next request. */
  hint?: string;
}

export type StatusEvent =
  | { kind: "disabled" }
  | { kind: "starting" }
  | { kind: "running" }
  | { kind: "progressBegin"; token: string; title: string; message?: string; percentage?: number; load?: boolean }
  | { kind: "progressReport"; token: string; message?: string; percentage?: number }
  | { kind: "progressEnd"; token: string }
  | { kind: "requestStarted" }
  | { kind: "requestFinished" }
  | { kind: "modelReady" }
  | { kind: "modelFailed"; message: string }
  | { kind: "dropped"; message: string }
  | { kind: "failed"; message: string };

export function initialStatus(): StatusState {
  return { phase: "off", running: false, progress: new Map(), inFlight: 0, model: "unknown" };
}

/**
 * Applies one event; returns a new state (the old one is not modified). `off` and `error` are left only by
 * `starting` (or `disabled`): late progress or responses from a server that was stopped, or that died, do not
 * revive the display. Otherwise the phase follows from the counters: loading while any progress is open,
 * starting until the handshake and the server's word on the model, no model after a failed load, generating
 * while a request is in flight, else ready.
 */
export function reduce(state: StatusState, event: StatusEvent): StatusState {
  switch (event.kind) {
    case "disabled":
      return initialStatus();
    case "starting":
      return { phase: "starting", running: false, progress: new Map(), inFlight: 0, model: "unknown" };
    case "failed":
      return { phase: "error", running: false, progress: new Map(), inFlight: 0, model: "unknown", error: event.message };
  }
  if (state.phase === "off" || state.phase === "error") {
    return state;
  }
  const next: StatusState = { ...state, progress: new Map(state.progress) };
  switch (event.kind) {
    case "running":
      next.running = true;
      break;
    case "progressBegin":
      next.progress.set(event.token, { title: event.title, message: event.message, percentage: event.percentage });
      if (event.load) {
        next.model = "unknown";
        next.modelError = undefined;
      }
      break;
    case "progressReport": {
      const p = next.progress.get(event.token);
      if (p) {
        next.progress.set(event.token, {
          title: p.title,
          message: event.message ?? p.message,
          percentage: event.percentage ?? p.percentage,
        });
      }
      break;
    }
    case "progressEnd":
      next.progress.delete(event.token);
      break;
    case "requestStarted":
      next.inFlight = state.inFlight + 1;
      next.hint = undefined;
      break;
    case "modelReady":
      next.model = "ready";
      next.modelError = undefined;
      break;
    case "modelFailed":
      next.model = "failed";
      next.modelError = event.message;
      break;
    case "dropped":
      next.hint = event.message;
      break;
    case "requestFinished":
      next.inFlight = Math.max(0, state.inFlight - 1);
      break;
  }
  next.phase =
    next.progress.size > 0
      ? "loading"
      : !next.running || next.model === "unknown"
        ? "starting"
        : next.model === "failed"
          ? "noModel"
          : next.inFlight > 0
            ? "generating"
            : "ready";
  return next;
}

export interface StatusView {
  /** Status bar text, with a codicon. */
  text: string;
  tooltip: string;
  /** `error` and `warning` pick the status bar's matching background colour. */
  severity: "normal" | "warning" | "error";
}

/** What the status bar item shows for a state. Clicking it toggles `qwenLsp.enable`. */
export function view(state: StatusState): StatusView {
  const toggle = "Click to " + (state.phase === "off" ? "enable" : "disable") + " qwen-lsp.";
  switch (state.phase) {
    case "off":
      return { text: "$(circle-slash) Qwen", tooltip: `qwen-lsp is disabled. ${toggle}`, severity: "warning" };
    case "starting":
      return { text: "$(sync~spin) Qwen", tooltip: `Starting qwen-lsp... ${toggle}`, severity: "normal" };
    case "loading": {
      const [p] = [...state.progress.values()];
      const pct = p.percentage !== undefined ? ` ${Math.round(p.percentage)}%` : "";
      const detail = p.message ? `${p.title}: ${p.message}` : p.title;
      return { text: `$(sync~spin) Qwen${pct}`, tooltip: `${detail}. ${toggle}`, severity: "normal" };
    }
    case "ready":
      if (state.hint) {
        return {
          text: "$(check) Qwen $(eye-closed)",
          tooltip: `qwen-lsp is ready. The last suggestion was not shown: ${state.hint}. ${toggle}`,
          severity: "normal",
        };
      }
      return { text: "$(check) Qwen", tooltip: `qwen-lsp is ready. ${toggle}`, severity: "normal" };
    case "noModel":
      return {
        text: "$(error) Qwen",
        tooltip: `qwen-lsp has no model: ${state.modelError ?? "the load failed"}. Set qwenLsp.model. ${toggle}`,
        severity: "error",
      };
    case "generating":
      return { text: "$(loading~spin) Qwen", tooltip: `Generating a suggestion... ${toggle}`, severity: "normal" };
    case "error":
      return {
        text: "$(error) Qwen",
        tooltip: `qwen-lsp failed: ${state.error ?? "unknown error"}. See "qwen-lsp: Show log". ${toggle}`,
        severity: "error",
      };
  }
}
