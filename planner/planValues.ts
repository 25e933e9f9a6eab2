/**
 * Values of a planned resource's inputs as the planner keeps them: plain JSON, with Pulumi secrets
 * wrapped (so policies can tell a secret from plain text) and unknowns marked.
 */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const UNKNOWN_VALUE = "[unknown]";
export const SECRET_DISPLAY = "[secret]";

/** A secret input value; `value` is never printed. */
export interface SecretValue {
  readonly $secret: true;
  readonly value: unknown;
}

export function isSecretValue(v: unknown): v is SecretValue {
  return typeof v === "object" && v !== null && (v as any).$secret === true;
}

/** Decodes the serialized property struct the engine would receive. */
export function decodeProperties(v: unknown): unknown {
  if (v === UNKNOWN) return UNKNOWN_VALUE;
  if (Array.isArray(v)) return v.map(decodeProperties);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o[SIG_KEY] === SECRET_SIG) return { $secret: true, value: decodeProperties(o.value) } as SecretValue;
    if (o[SIG_KEY] === RESOURCE_SIG) return { $resource: o.urn, id: o.id };
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = decodeProperties(x);
    return out;
  }
  return v;
}

/** For display and JSON output: secrets become "[secret]". */
export function maskSecrets(v: unknown): unknown {
  if (isSecretValue(v)) return SECRET_DISPLAY;
  if (Array.isArray(v)) return v.map(maskSecrets);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = maskSecrets(x);
    return out;
  }
  return v;
}

/** The plain value, secrets unwrapped: what a policy sees as `props`. */
export function unwrapSecrets(v: unknown): unknown {
  if (isSecretValue(v)) return unwrapSecrets(v.value);
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = unwrapSecrets(x);
    return out;
  }
  return v;
}
