/**
 * What the maintenance commands share (and lchost migrate uses): which Alertmanager, and the stack whose
 * customers a maintenance covers. Its own module so that maintenance.ts and maintenanceAnnounce.ts both
 * import it without importing each other.
 */
import * as fs from "fs";
import * as path from "path";
import { AlertmanagerError, parseAlertmanagerUrl } from "../../render/alertmanager/api";
import { SilencedStack } from "../../render/alertmanager/maintenanceSilence";
import { loadStack, stackFilePath, stacksDir } from "../../model/stackFile";
import { stringOpt } from "../args";
import { UsageError } from "../errors";

/** Where Alertmanager is when --alertmanager is not given. */
export const ALERTMANAGER_URL_ENV = "LCHOST_ALERTMANAGER_URL";

export interface MaintenanceIo {
  env: NodeJS.ProcessEnv;
  now: () => Date;
}

/** The Alertmanager base URL from --alertmanager, else $LCHOST_ALERTMANAGER_URL, else undefined; a bad one is a usage error naming where it came from. */
export function configuredAlertmanagerUrl(opts: Record<string, unknown>, env: NodeJS.ProcessEnv): URL | undefined {
  const flag = stringOpt(opts, "alertmanager");
  try {
    if (flag !== undefined) return parseAlertmanagerUrl(flag, "--alertmanager");
    const fromEnv = env[ALERTMANAGER_URL_ENV];
    if (fromEnv) return parseAlertmanagerUrl(fromEnv, ALERTMANAGER_URL_ENV);
    return undefined;
  } catch (e) {
    if (e instanceof AlertmanagerError) throw new UsageError(e.message);
    throw e;
  }
}

/** As configuredAlertmanagerUrl, but required. */
export function alertmanagerUrl(opts: Record<string, unknown>, env: NodeJS.ProcessEnv): URL {
  const url = configuredAlertmanagerUrl(opts, env);
  if (!url) throw new UsageError(`--alertmanager <url> is required (or set ${ALERTMANAGER_URL_ENV}), e.g. http://127.0.0.1:9093`);
  return url;
}

/** The stack whose alerts a silence covers; an unknown stack or one without customers is a usage error. */
export function silencedStack(stackName: string, dir?: string): SilencedStack {
  const folder = dir ?? stacksDir();
  const file = stackFilePath(stackName, folder);
  if (!fs.existsSync(file)) {
    const known = fs.existsSync(folder)
      ? fs
          .readdirSync(folder)
          .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
          .filter((n): n is string => Boolean(n))
      : [];
    throw new UsageError(`<stack>: unknown stack '${stackName}' (no ${path.relative(process.cwd(), file) || file}; known: ${known.join(", ") || "none"})`);
  }
  const cfg = loadStack(stackName, folder).config;
  switch (cfg.role) {
    case "customer":
      return { kind: "customer", customer: stackName };
    case "shared-server":
      return { kind: "shared-server", name: stackName, tenants: cfg.tenants };
    default:
      throw new UsageError(
        `<stack>: '${stackName}' is not a customer or shared-server stack (lchost:role '${(cfg as { role: string }).role}'): it has no customer alerts to silence`,
      );
  }
}
