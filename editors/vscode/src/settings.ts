// The extension's settings as plain data, and their mapping to the server's initializationOptions.
// Knows nothing about `vscode`: extension.ts passes a getter over the workspace configuration, so the mapping
// is unit-tested with Node alone.

export type Dtype = "auto" | "f32" | "f16" | "bf16";
export type Device = "auto" | "cpu" | "cuda" | "metal";

/** Sampling knobs; `undefined` means "use the server's default" and is not sent. */
export interface Sampling {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
}

/** Every `qwenLsp.*` setting, validated. */
export interface Settings {
  enable: boolean;
  serverPath: string;
  serverArgs: string[];
  model: string;
  dtype: Dtype;
  device: Device;
  sampling: Sampling;
  contextTokens?: number;
  debounceMs?: number;
  validateSyntax?: boolean;
}

/** A problem found while reading settings: the offending key and why it was ignored. */
export interface SettingsProblem {
  key: string;
  message: string;
}

const DTYPES: readonly Dtype[] = ["auto", "f32", "f16", "bf16"];
const DEVICES: readonly Device[] = ["auto", "cpu", "cuda", "metal"];

/**
 * Reads the settings through `get(key)` (a key below `qwenLsp.`, e.g. `"sampling.topP"`). Values of the wrong
 * type or out of range are dropped (the default applies) and reported in `problems`, never thrown: a typo in
 * settings.json must not stop the editor.
 */
export function readSettings(get: (key: string) => unknown): { settings: Settings; problems: SettingsProblem[] } {
  const problems: SettingsProblem[] = [];
  const bad = (key: string, message: string) => problems.push({ key: `qwenLsp.${key}`, message });

  const bool = (key: string, fallback: boolean): boolean => {
    const v = get(key);
    if (v === undefined || v === null) {
      return fallback;
    }
    if (typeof v !== "boolean") {
      bad(key, `expected true or false, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return v;
  };
  const optBool = (key: string): boolean | undefined => {
    const v = get(key);
    if (v === undefined || v === null) {
      return undefined;
    }
    if (typeof v !== "boolean") {
      bad(key, `expected true, false or null, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return v;
  };
  const str = (key: string): string => {
    const v = get(key);
    if (v === undefined || v === null) {
      return "";
    }
    if (typeof v !== "string") {
      bad(key, `expected a string, got ${JSON.stringify(v)}`);
      return "";
    }
    return v.trim();
  };
  const num = (key: string, opts: { integer?: boolean; min?: number; max?: number }): number | undefined => {
    const v = get(key);
    if (v === undefined || v === null || v === "") {
      return undefined;
    }
    if (typeof v !== "number" || !Number.isFinite(v)) {
      bad(key, `expected a number, got ${JSON.stringify(v)}`);
      return undefined;
    }
    if (opts.integer && !Number.isInteger(v)) {
      bad(key, `expected an integer, got ${v}`);
      return undefined;
    }
    if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
      bad(key, `${v} is outside [${opts.min ?? "-inf"}, ${opts.max ?? "inf"}]`);
      return undefined;
    }
    return v;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const v = get(key);
    if (v === undefined || v === null || v === "") {
      return fallback;
    }
    if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
      bad(key, `expected one of ${allowed.join(", ")}, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return v as T;
  };
  const strings = (key: string): string[] => {
    const v = get(key);
    if (v === undefined || v === null) {
      return [];
    }
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
      bad(key, `expected a list of strings, got ${JSON.stringify(v)}`);
      return [];
    }
    return v as string[];
  };

  const settings: Settings = {
    enable: bool("enable", true),
    serverPath: str("serverPath"),
    serverArgs: strings("serverArgs"),
    model: str("model"),
    dtype: oneOf("dtype", DTYPES, "auto"),
    device: oneOf("device", DEVICES, "auto"),
    sampling: dropUndefined({
      maxTokens: num("sampling.maxTokens", { integer: true, min: 1 }),
      temperature: num("sampling.temperature", { min: 0 }),
      topP: num("sampling.topP", { min: 0, max: 1 }),
      topK: num("sampling.topK", { integer: true, min: 1 }),
      seed: num("sampling.seed", { integer: true, min: 0 }),
    }),
    contextTokens: num("contextTokens", { integer: true, min: 64 }),
    debounceMs: num("debounceMs", { integer: true, min: 0 }),
    validateSyntax: optBool("validateSyntax"),
  };
  return { settings, problems };
}

/**
 * The server's configuration object, sent as `initializationOptions` and as the `settings` of
 * `workspace/didChangeConfiguration`. Keys are the server's camelCase names; unset values are left out so the
 * server's own defaults apply, and `"auto"` dtype/device are left out for the same reason.
 */
export function toServerConfig(s: Settings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.model !== "") {
    out.model = s.model;
  }
  if (s.dtype !== "auto") {
    out.dtype = s.dtype;
  }
  if (s.device !== "auto") {
    out.device = s.device;
  }
  const sampling = dropUndefined({ ...s.sampling });
  if (Object.keys(sampling).length > 0) {
    out.sampling = sampling;
  }
  if (s.contextTokens !== undefined) {
    out.contextTokens = s.contextTokens;
  }
  if (s.debounceMs !== undefined) {
    out.debounceMs = s.debounceMs;
  }
  if (s.validateSyntax !== undefined) {
    out.validateSyntax = s.validateSyntax;
  }
  return out;
}

/** What a settings change asks of the running client. */
export type ChangeAction = "none" | "start" | "stop" | "restart" | "notify";

/**
 * Decides how to apply a change from `before` to `after`. The model, dtype, device, binary and its arguments are
 * fixed for a server process's life (the weights are loaded once), so changing them restarts it; everything else
 * is re-sent with `workspace/didChangeConfiguration`.
 */
export function changeAction(before: Settings, after: Settings): ChangeAction {
  if (before.enable !== after.enable) {
    return after.enable ? "start" : "stop";
  }
  if (!after.enable) {
    return "none";
  }
  const processKeys = (s: Settings) =>
    JSON.stringify([s.serverPath, s.serverArgs, s.model, s.dtype, s.device]);
  if (processKeys(before) !== processKeys(after)) {
    return "restart";
  }
  if (JSON.stringify(toServerConfig(before)) !== JSON.stringify(toServerConfig(after))) {
    return "notify";
  }
  return "none";
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) {
    if (o[k] === undefined) {
      delete o[k];
    }
  }
  return o;
}
