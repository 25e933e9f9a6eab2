/**
 * Reading a service's environment: every rejection names the variable and the value (secrets shown as
 * <redacted>) and what is allowed, so a service refuses to start with a message an operator can act on.
 */
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string | undefined,
    reason: string,
    secret = false,
  ) {
    super(`${variable}=${secret ? "<redacted>" : JSON.stringify(value ?? "")} is invalid: ${reason}`);
    this.name = "ConfigError";
  }
}

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
/** A software vendor's firm code on the FSB. */
export const FIRM_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The trimmed value, or undefined when unset or blank. */
export function present(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

export function required(env: Env, name: string, secret = false): string {
  const v = present(env, name);
  if (v === undefined) throw new ConfigError(name, env[name], "required", secret);
  return v;
}

export function intVar(env: Env, name: string, dflt: number, min: number, max: number): number {
  const raw = present(env, name);
  if (raw === undefined) return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, env[name], `must be an integer between ${min} and ${max}`);
  }
  return Number(raw);
}

export function boolVar(env: Env, name: string, dflt: boolean): boolean {
  const raw = present(env, name);
  if (raw === undefined) return dflt;
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new ConfigError(name, env[name], 'must be "true" or "false"');
}

/** A required secret of at least 8 characters. */
export function secretVar(env: Env, name: string): string {
  const v = required(env, name, true);
  if (v.length < 8) throw new ConfigError(name, v, "must be at least 8 characters", true);
  return v;
}

export function logLevelVar(env: Env, name: string, dflt: string): string {
  const level = present(env, name) ?? dflt;
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(name, level, `must be one of ${LOG_LEVELS.join(", ")}`);
  return level;
}
