/**
 * Which input values were Pulumi secrets.
 *
 * The engine sends secrets to a policy pack marked, but @pulumi/policy unwraps them before a
 * validation sees `props` (deserializeProperties(..., false)): under `pulumi preview --policy-pack`
 * a policy cannot tell a secret from plain text. lchost's in-process runner (planner/policyRunner.ts)
 * knows, and records the paths of secret values here, keyed by the very `props` object it passes.
 * `secretPathsOf` returns undefined when nothing was recorded (the real engine), and policies fall
 * back to what the engine does show (see rules/secretsNotInPlainText.ts).
 */
const recorded = new WeakMap<object, ReadonlySet<string>>();

export function recordSecretPaths(props: object, paths: ReadonlySet<string>): void {
  recorded.set(props, paths);
}

export function secretPathsOf(props: object): ReadonlySet<string> | undefined {
  return recorded.get(props);
}

/** "envs[3]", "uploads[0].content", "labels[1].value": the path syntax used in both directions. */
export function joinPath(base: string, key: string | number): string {
  return typeof key === "number" ? `${base}[${key}]` : base ? `${base}.${key}` : key;
}

/** A value counts as secret when it, or a value containing it, was secret. */
export function isSecretPath(paths: ReadonlySet<string>, path: string): boolean {
  let p = path;
  for (;;) {
    if (paths.has(p)) return true;
    const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
    if (cut <= 0) return false;
    p = p.slice(0, cut);
  }
}
