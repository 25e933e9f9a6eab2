/**
 * A sandbox's credentials: fresh values for every secret placeholder of each stack's plan (a tenant
 * also gets its shared server's), a basic-auth password per stack with its SHA-512 crypt hash, and the
 * admin tokens a caller keeps across a customer's sandboxes.
 */
import { sha512Crypt } from "../components/render/sha512Crypt";
import { LC_ENV } from "../license-central/src/env";
import { freshSecrets, randomAlphanumeric } from "./placeholderSecrets";
import type { PlannedStack, SandboxLayout, SandboxSecrets } from "./sandboxLayout";

export function emptySecrets(): SandboxSecrets {
  return { substitutions: new Map(), basicAuth: new Map() };
}

function basicAuthSecret(): { password: string; hash: string } {
  const password = randomAlphanumeric(20);
  return { password, hash: sha512Crypt(password, randomAlphanumeric(16)) };
}

/** A stack starting with the sandbox: fresh values, over its shared server's where both have one. */
export function addStackSecrets(secrets: SandboxSecrets, stack: PlannedStack): void {
  const shared = stack.sharedServer ? secrets.substitutions.get(stack.sharedServer) : undefined;
  // a tenant whose shared server is not part of this sandbox: its values stay consistent within the tenant
  secrets.substitutions.set(stack.name, new Map([...(shared ?? new Map()), ...freshSecrets(stack.plan)]));
  secrets.basicAuth.set(stack.name, basicAuthSecret());
}

/**
 * A stack planned again while the sandbox runs: what exists keeps its secrets, new placeholders get
 * fresh values (a tenant's include its shared server's).
 */
export function updateStackSecrets(secrets: SandboxSecrets, stack: PlannedStack): void {
  const shared = stack.sharedServer ? secrets.substitutions.get(stack.sharedServer) : undefined;
  secrets.substitutions.set(
    stack.name,
    new Map([...freshSecrets(stack.plan), ...(shared ?? new Map()), ...(secrets.substitutions.get(stack.name) ?? new Map())]),
  );
  if (!secrets.basicAuth.has(stack.name)) secrets.basicAuth.set(stack.name, basicAuthSecret());
}

/** Per stack: License Central's admin token given by the caller instead of the fresh one, in the processes and the credentials. */
export function applyAdminTokens(layout: SandboxLayout, adminTokens: Record<string, string> | undefined): void {
  if (!adminTokens) return;
  for (const p of layout.processes) {
    const token = adminTokens[p.stack];
    if (token && p.role === "license-central") p.env[LC_ENV.adminToken] = token;
  }
  for (const [stack, token] of Object.entries(adminTokens)) if (layout.credentials[stack]?.adminToken) layout.credentials[stack].adminToken = token;
}
