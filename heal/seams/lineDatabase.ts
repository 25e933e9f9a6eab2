/**
 * Which database node each License Central line of an HA customer uses, and pointing a line at another node
 * (issue 12, "a line whose database node is lost for good → repoint the line to a healthy node"). A seam of
 * its own (`seams.lineDatabase`), implemented for process control (the sandbox and the real-process proofs)
 * and for Docker (the Engine API).
 *
 * How lines reach the database today (editions/customerDeployment.ts): line L uses node ((L−1) mod nodes)+1 by
 * name — `DB_HOST=lc-<customer>-db[-N]` in the line's environment (components/serviceEnv.ts, LC_ENV.dbHost);
 * the sandbox rewrites that name to the node's loopback address (sandbox/containerTranslation.ts). There is
 * no proxy in between, so a line whose node is gone stays unready until its DB_HOST names another node: the
 * line's process (container) must start again with the new value.
 */
import { LC_ENV } from "../../license-central/src/env";
import { DockerEngine } from "../../dockerRun/dockerEngine";
import { waitFor } from "../../dockerRun/runPlanInDocker";
import { dbNodeIndex } from "./galera";

export interface LineDatabase {
  line: number;
  /** The 1-based database node the line uses now (undefined: its DB_HOST names no node of the cluster). */
  node: number | undefined;
}

export interface LineDatabaseControl {
  lines(customer: string): Promise<LineDatabase[]>;
  /**
   * Starts the line again with DB_HOST naming `node`, and resolves once it is ready. When it does not become
   * ready, the former setting is put back (and the line started with it) before the promise rejects.
   */
  repoint(customer: string, line: number, node: number): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// Process control

/** One line run as a local process: its environment (applied at its next start) and a restart that waits until ready. */
export interface LineProcess {
  line: number;
  env: Record<string, string>;
  /** Stops the line if it runs, starts it with `env`, resolves when it is ready (rejects when not within its timeout). */
  restart(): Promise<void>;
}

export class ProcessLineDatabaseControl implements LineDatabaseControl {
  constructor(private readonly customers: Record<string, { lines: LineProcess[]; /** DB_HOST value of node i (1-based). */ nodeHosts: string[] }>) {}

  private of(customer: string) {
    const c = this.customers[customer];
    if (!c) throw new Error(`no lines known for customer '${customer}'`);
    return c;
  }

  async lines(customer: string): Promise<LineDatabase[]> {
    const c = this.of(customer);
    return c.lines.map((l) => {
      const i = c.nodeHosts.indexOf(l.env[LC_ENV.dbHost]);
      return { line: l.line, node: i >= 0 ? i + 1 : undefined };
    });
  }

  async repoint(customer: string, line: number, node: number): Promise<void> {
    const c = this.of(customer);
    const l = c.lines.find((x) => x.line === line);
    if (!l) throw new Error(`customer '${customer}' has no line ${line}`);
    const host = c.nodeHosts[node - 1];
    if (!host) throw new Error(`customer '${customer}' has no database node ${node}`);
    const before = l.env[LC_ENV.dbHost];
    l.env[LC_ENV.dbHost] = host;
    try {
      await l.restart();
    } catch (e) {
      l.env[LC_ENV.dbHost] = before;
      await l.restart().catch(() => undefined); // as it was: unready against its lost node
      throw e;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Docker

interface Inspect {
  Name: string;
  Config: Record<string, unknown> & { Env?: string[]; Labels?: Record<string, string>; Hostname?: string };
  HostConfig: Record<string, unknown>;
  NetworkSettings: { Networks: Record<string, { Aliases?: string[] | null; IPAMConfig?: unknown }> };
  State: { Running: boolean };
}

/** Line number from a line container's name (`lc-<customer>[-gN]-line-L`, model/naming.ts). */
export function lineIndex(containerName: string): number | undefined {
  const m = /-line-(\d+)$/.exec(containerName.replace(/^\//, ""));
  return m ? Number(m[1]) : undefined;
}

/** The create body of a container like `c` with one environment variable changed (what `docker run` would be given). */
export function recreateBody(c: Inspect, key: string, value: string): Record<string, unknown> {
  const env = (c.Config.Env ?? []).filter((e) => !e.startsWith(`${key}=`)).concat(`${key}=${value}`);
  const networks = Object.fromEntries(
    Object.entries(c.NetworkSettings.Networks).map(([n, s]) => [
      n,
      { Aliases: (s.Aliases ?? []).filter((a) => a !== c.Config.Hostname && !/^[0-9a-f]{12}$/.test(a)) },
    ]),
  );
  return { ...c.Config, Env: env, HostConfig: c.HostConfig, NetworkingConfig: { EndpointsConfig: networks } };
}

export class DockerLineDatabaseControl implements LineDatabaseControl {
  constructor(
    private readonly docker = new DockerEngine(),
    private readonly readyTimeoutMs = 120_000,
  ) {}

  private async containers(customer: string, role: string): Promise<Array<{ name: string }>> {
    const filters = encodeURIComponent(JSON.stringify({ label: [`lchost.customer=${customer}`, `lchost.role=${role}`] }));
    const list = await this.docker.ok<Array<{ Names: string[] }>>("GET", `/containers/json?all=1&filters=${filters}`);
    return list.map((c) => ({ name: c.Names[0].replace(/^\//, "") }));
  }

  private async dbHosts(customer: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const c of await this.containers(customer, "database")) {
      const i = dbNodeIndex(c.name);
      if (i !== undefined) out.set(c.name, i);
    }
    return out;
  }

  private inspect(name: string): Promise<Inspect> {
    return this.docker.ok<Inspect>("GET", `/containers/${encodeURIComponent(name)}/json`);
  }

  async lines(customer: string): Promise<LineDatabase[]> {
    const hosts = await this.dbHosts(customer);
    const out: LineDatabase[] = [];
    for (const c of await this.containers(customer, "license-central")) {
      const line = lineIndex(c.name);
      if (line === undefined) continue;
      const env = (await this.inspect(c.name)).Config.Env ?? [];
      const host = env.find((e) => e.startsWith(`${LC_ENV.dbHost}=`))?.slice(LC_ENV.dbHost.length + 1);
      out.push({ line, node: host === undefined ? undefined : hosts.get(host) });
    }
    return out.sort((a, b) => a.line - b.line);
  }

  async repoint(customer: string, line: number, node: number): Promise<void> {
    const name = (await this.containers(customer, "license-central")).find((c) => lineIndex(c.name) === line)?.name;
    if (!name) throw new Error(`customer '${customer}' has no line ${line} container`);
    const host = [...(await this.dbHosts(customer))].find(([, i]) => i === node)?.[0];
    if (!host) throw new Error(`customer '${customer}' has no database node ${node}`);
    const old = await this.inspect(name);
    const aside = `${name}-heal-old`;
    const q = encodeURIComponent;
    await this.docker.request("POST", `/containers/${q(name)}/stop?t=10`);
    await this.docker.ok("POST", `/containers/${q(name)}/rename?name=${q(aside)}`);
    try {
      await this.docker.ok("POST", `/containers/create?name=${q(name)}`, recreateBody(old, LC_ENV.dbHost, host));
      await this.docker.ok("POST", `/containers/${q(name)}/start`);
      await waitFor(this.docker, name, "healthy", this.readyTimeoutMs);
    } catch (e) {
      // put the former container back as it was
      await this.docker.request("DELETE", `/containers/${q(name)}?force=1`);
      await this.docker.ok("POST", `/containers/${q(aside)}/rename?name=${q(name)}`);
      await this.docker.request("POST", `/containers/${q(name)}/start`);
      throw e;
    }
    await this.docker.request("DELETE", `/containers/${q(aside)}?force=1`);
  }
}
