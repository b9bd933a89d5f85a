// The extension's settings as plain data, and their mapping to the server's configuration (sent as
// initializationOptions and re-sent with workspace/didChangeConfiguration). The `qwenLsp.*` keys mirror the
// server's JSON keys (server/src/config.rs), so one schema documents both editors.
// Knows nothing about `vscode`: extension.ts passes a getter over the workspace configuration.

/** Client-side settings: how to run the server, never sent to it. */
export interface ClientSettings {
  enable: boolean;
  serverPath: string;
  serverArgs: string[];
}

/** Everything the extension reads: client settings plus the server's configuration object. */
export interface Settings extends ClientSettings {
  /** Nested camelCase object for the server; unset settings are absent so the server's defaults apply. */
  server: Record<string, unknown>;
}

/** A setting that was ignored, and why. */
export interface SettingsProblem {
  key: string;
  message: string;
}

type Spec =
  | { kind: "string" }
  | { kind: "enum"; values: readonly string[]; unset?: string }
  | { kind: "boolean" }
  | { kind: "number"; integer?: boolean; min?: number; max?: number };

/**
 * The server settings the extension exposes, keyed by their dotted path below `qwenLsp.` (the same path in the
 * server's JSON). Kept in sync with `contributes.configuration` in package.json by a unit test.
 */
export const SERVER_SETTINGS: Readonly<Record<string, Spec>> = {
  model: { kind: "string" },
  dtype: { kind: "enum", values: ["auto", "f32", "f16", "bf16"], unset: "auto" },
  device: { kind: "string" },
  quantize: { kind: "enum", values: ["auto", "none", "q8_0", "q4_k"], unset: "auto" },
  kvCache: { kind: "enum", values: ["auto", "f16", "int8", "f32"], unset: "auto" },
  prefixCacheMb: { kind: "number", integer: true, min: 0 },
  "secrets.enabled": { kind: "boolean" },
  "workspaceIndex.enabled": { kind: "boolean" },
  "completion.sampling.maxTokens": { kind: "number", integer: true, min: 1 },
  "completion.sampling.temperature": { kind: "number", min: 0 },
  "completion.sampling.topP": { kind: "number", min: 0, max: 1 },
  "completion.sampling.topK": { kind: "number", integer: true, min: 1 },
  "completion.sampling.seed": { kind: "number", integer: true, min: 0 },
  "completion.contextTokens": { kind: "number", integer: true, min: 64 },
  "completion.coldContextTokens": { kind: "number", integer: true, min: 0 },
  "completion.suffixRerunMs": { kind: "number", integer: true, min: 0 },
  "completion.multiline": { kind: "enum", values: ["auto", "always", "never"] },
  "completion.validateSyntax": { kind: "boolean" },
  debounceMs: { kind: "number", integer: true, min: 0 },
  "actions.sampling.maxTokens": { kind: "number", integer: true, min: 1 },
  "actions.candidates": { kind: "number", integer: true, min: 1 },
  "actions.runTests": { kind: "boolean" },
  "actions.contextTokens": { kind: "number", integer: true, min: 64 },
  "diagnostics.syntax": { kind: "boolean" },
  "diagnostics.runTests": { kind: "boolean" },
};

/**
 * Reads every setting through `get(key)` (a key below `qwenLsp.`). `null`, `undefined` and `""` mean unset.
 * Values of the wrong type or out of range are dropped and reported in `problems`, never thrown: a typo in
 * settings.json must not stop the editor.
 */
export function readSettings(get: (key: string) => unknown): { settings: Settings; problems: SettingsProblem[] } {
  const problems: SettingsProblem[] = [];
  const bad = (key: string, message: string) => problems.push({ key: `qwenLsp.${key}`, message });

  const server: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SERVER_SETTINGS)) {
    const raw = get(key);
    const value = check(raw, spec);
    if (typeof value === "object") {
      bad(key, value.problem);
    } else if (value !== undefined) {
      setPath(server, key.split("."), value);
    }
  }

  let enable = true;
  const rawEnable = get("enable");
  if (typeof rawEnable === "boolean") {
    enable = rawEnable;
  } else if (rawEnable !== undefined && rawEnable !== null) {
    bad("enable", `expected true or false, got ${JSON.stringify(rawEnable)}`);
  }
  let serverPath = "";
  const rawPath = get("serverPath");
  if (typeof rawPath === "string") {
    serverPath = rawPath.trim();
  } else if (rawPath !== undefined && rawPath !== null) {
    bad("serverPath", `expected a string, got ${JSON.stringify(rawPath)}`);
  }
  let serverArgs: string[] = [];
  const rawArgs = get("serverArgs");
  if (Array.isArray(rawArgs) && rawArgs.every((a) => typeof a === "string")) {
    serverArgs = rawArgs as string[];
  } else if (rawArgs !== undefined && rawArgs !== null) {
    bad("serverArgs", `expected a list of strings, got ${JSON.stringify(rawArgs)}`);
  }
  return { settings: { enable, serverPath, serverArgs, server }, problems };
}

/** A valid value, `undefined` for unset, or the reason the value is unusable. */
function check(raw: unknown, spec: Spec): string | number | boolean | undefined | { problem: string } {
  if (raw === undefined || raw === null || raw === "") {
    return undefined;
  }
  switch (spec.kind) {
    case "string":
      if (typeof raw !== "string") {
        return { problem: `expected a string, got ${JSON.stringify(raw)}` };
      }
      return raw.trim() === "" ? undefined : raw.trim();
    case "enum":
      if (typeof raw !== "string" || !spec.values.includes(raw)) {
        return { problem: `expected one of ${spec.values.join(", ")}, got ${JSON.stringify(raw)}` };
      }
      return raw === spec.unset ? undefined : raw;
    case "boolean":
      if (typeof raw !== "boolean") {
        return { problem: `expected true or false, got ${JSON.stringify(raw)}` };
      }
      return raw;
    case "number":
      if (typeof raw !== "number" || !Number.isFinite(raw)) {
        return { problem: `expected a number, got ${JSON.stringify(raw)}` };
      }
      if (spec.integer && !Number.isInteger(raw)) {
        return { problem: `expected an integer, got ${raw}` };
      }
      if ((spec.min !== undefined && raw < spec.min) || (spec.max !== undefined && raw > spec.max)) {
        return { problem: `${raw} is outside [${spec.min ?? "-inf"}, ${spec.max ?? "inf"}]` };
      }
      return raw;
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    node[part] = node[part] ?? {};
    node = node[part] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

/** The server's configuration object: `initializationOptions` and `didChangeConfiguration`'s `settings`. */
export function toServerConfig(s: Settings): Record<string, unknown> {
  return s.server;
}

/** What a settings change asks of the running client. */
export type ChangeAction = "none" | "start" | "stop" | "restart" | "notify";

/**
 * Decides how to apply a change from `before` to `after`. The binary and its arguments are fixed for a process's
 * life, so changing them restarts it; everything else, the model included (the server reloads it in the
 * background, with progress), is re-sent with `workspace/didChangeConfiguration`.
 */
export function changeAction(before: Settings, after: Settings): ChangeAction {
  if (before.enable !== after.enable) {
    return after.enable ? "start" : "stop";
  }
  if (!after.enable) {
    return "none";
  }
  if (JSON.stringify([before.serverPath, before.serverArgs]) !== JSON.stringify([after.serverPath, after.serverArgs])) {
    return "restart";
  }
  if (JSON.stringify(before.server) !== JSON.stringify(after.server)) {
    return "notify";
  }
  return "none";
}
