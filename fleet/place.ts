/**
 * Fleet placement (issue 14 item 1, docs/hosts.md): which inventory host each customer runs on. Pure: the
 * inventory, the parsed stacks and the catalog in, an assignment (or the list of what does not fit) out.
 *
 * - A customer needs its edition's `resources` once per sized container: each License Central line and
 *   each own database node. A shared server needs the catalog's `placement.sharedServerResources` plus one
 *   Datacenter line per tenant, and its tenants run on its host (they are placed with it, never alone).
 * - A host gives out at most (100 - placement.headroomPercent) % of its capacity, memory and CPU shares both.
 * - Labels: a host labelled `role: shared` takes shared servers only, `role: dedicated` own-server customers
 *   only (Dedicated Server, High Performance, High Availability); a host without a role label takes either.
 * - High Availability: its Galera nodes on distinct hosts, lines round-robin over them (`placeParts`, the
 *   same rules as a stack's own lchost:hosts).
 * - Stacks that already name their host(s) keep them and count against those hosts first.
 * - Deterministic: the largest need first (memory, then CPU, then stack name), each on an eligible host
 *   labelled for it if one has room (else an unlabelled one), and there on the one with the most free
 *   memory (then CPU, then name) — so customers spread rather than pile up.
 */
import type { EditionCatalog, EditionId } from "../model/catalog";
import { Host, HostsError, PartPlacement, placeParts } from "../model/hosts";
import type { StackConfig } from "../model/stackConfig";
import { stackNameOfReference } from "../model/stackFile";

export interface Resources {
  memoryMb: number;
  cpuShares: number;
}

/** What placement needs of a stack file. */
export interface PlaceableStack {
  stackName: string;
  config: StackConfig;
}

export type PlacedKind = EditionId | "shared-server";

export interface Assignment {
  stack: string;
  /** The customer (absent for a shared server). */
  customer?: string;
  kind: PlacedKind;
  /** The host(s): one for single-host stacks, the distinct hosts of an HA stack's parts. */
  hosts: string[];
  /** High Availability: where each part runs. */
  parts?: PartPlacement;
  /** Everything it needs, summed over its hosts. */
  needs: Resources;
  /** Where the host came from: the stack file already named it, placement chose it, or the tenant's shared server. */
  source: "recorded" | "placed" | "shared-server";
  /** Datacenter tenants: the shared-server stack whose host they share. */
  sharedServer?: string;
}

export interface HostUsage {
  host: string;
  capacity: Resources;
  /** Capacity minus the headroom: what placement may hand out. */
  usable: Resources;
  used: Resources;
  stacks: string[];
}

export interface Placement {
  /** Sorted by stack name. */
  assignments: Assignment[];
  /** In inventory order. */
  hosts: HostUsage[];
  /** Stacks placement leaves alone (operations stacks), with why. */
  skipped: Array<{ stack: string; reason: string }>;
}

/** The request cannot be met; `unplaced` names every customer (and shared server) that does not fit. */
export class PlacementError extends Error {
  constructor(
    readonly problems: string[],
    readonly unplaced: string[],
  ) {
    super(problems.join("\n"));
    this.name = "PlacementError";
  }
}

export interface PlaceOptions {
  hosts: Host[];
  stacks: PlaceableStack[];
  catalog: Pick<EditionCatalog, "editions" | "placement">;
}

const times = (r: Resources, n: number): Resources => ({ memoryMb: r.memoryMb * n, cpuShares: r.cpuShares * n });
const plus = (a: Resources, b: Resources): Resources => ({ memoryMb: a.memoryMb + b.memoryMb, cpuShares: a.cpuShares + b.cpuShares });
const ZERO: Resources = { memoryMb: 0, cpuShares: 0 };
const show = (r: Resources) => `${r.memoryMb} MB / ${r.cpuShares} CPU shares`;

/** One thing to put somewhere: a single-host stack (with its tenants) or an HA stack. */
interface Unit {
  stack: string;
  customer?: string;
  kind: PlacedKind;
  /** "own": Dedicated, HP, HA; "shared": a shared server. */
  hostRole: "own" | "shared";
  /** Single-host: the whole need. HA: the need of one sized container (per line / database node). */
  need: Resources;
  total: Resources;
  /** `arbitrator`: the stack's own lchost:galeraArbitrator (2 hosts + garbd), by name. */
  ha?: { lines: number; databaseNodes: number; arbitrator?: string };
  recorded?: string[];
  /** Shared servers: the tenant stacks that go with them. */
  tenants: PlaceableStack[];
}

function takes(host: Host, role: Unit["hostRole"]): boolean {
  const label = host.labels.role;
  if (label === undefined) return true;
  return role === "shared" ? label === "shared" : label === "dedicated";
}

/** Assigns every stack without lchost:host / lchost:hosts to a host; throws PlacementError when some do not fit. */
export function placeFleet(opts: PlaceOptions): Placement {
  const { catalog } = opts;
  const headroom = catalog.placement.headroomPercent;
  const usage = new Map<string, HostUsage>(
    opts.hosts.map((h) => {
      const capacity = h.capacity;
      if (!capacity) throw new HostsError(h.name, [`host ${h.name}: no capacity; placement needs every host's capacity (memoryMb, cpuShares)`]);
      const usable = {
        memoryMb: Math.floor((capacity.memoryMb * (100 - headroom)) / 100),
        cpuShares: Math.floor((capacity.cpuShares * (100 - headroom)) / 100),
      };
      return [h.name, { host: h.name, capacity, usable, used: { ...ZERO }, stacks: [] }];
    }),
  );
  const byName = new Map(opts.hosts.map((h) => [h.name, h]));
  const problems: string[] = [];
  const unplaced: string[] = [];
  const skipped: Placement["skipped"] = [];
  const assignments: Assignment[] = [];

  // Tenants go with their shared server.
  const sharedStacks = new Map<string, PlaceableStack>();
  for (const s of opts.stacks) if (s.config.role === "shared-server") sharedStacks.set(s.stackName, s);
  const tenantsOf = new Map<string, PlaceableStack[]>();
  const units: Unit[] = [];
  for (const s of opts.stacks) {
    const cfg = s.config;
    if (cfg.role === "operations") {
      skipped.push({ stack: s.stackName, reason: "an operations stack: it watches the fleet and is not placed" });
      continue;
    }
    if (cfg.role === "customer" && catalog.editions[cfg.edition].includes.sharedServer) {
      const server = stackNameOfReference(cfg.sharedServer ?? "");
      if (!sharedStacks.has(server)) {
        problems.push(
          `${cfg.customer}: lchost:sharedServer '${cfg.sharedServer}' is not a shared-server stack of this fleet; a tenant runs on its shared server's host`,
        );
        unplaced.push(cfg.customer);
        continue;
      }
      tenantsOf.set(server, [...(tenantsOf.get(server) ?? []), s]);
    }
  }
  for (const s of opts.stacks) {
    const cfg = s.config;
    if (cfg.role === "shared-server") {
      const tenants = tenantsOf.get(s.stackName) ?? [];
      // every tenant the shared server hosts, whether or not its stack file is in this directory
      const names = new Set([...cfg.tenants, ...tenants.map((t) => (t.config.role === "customer" ? t.config.customer : t.stackName))]);
      const total = plus(catalog.placement.sharedServerResources, times(catalog.editions.datacenter.resources, names.size));
      units.push({ stack: s.stackName, kind: "shared-server", hostRole: "shared", need: total, total, recorded: cfg.host ? [cfg.host] : undefined, tenants });
    } else if (cfg.role === "customer" && !catalog.editions[cfg.edition].includes.sharedServer) {
      const facts = catalog.editions[cfg.edition];
      const nodes = facts.database.kind === "cluster" ? facts.database.nodes : 1;
      const per = facts.resources;
      if (facts.database.kind === "cluster") {
        const recorded = cfg.hosts?.map((h) => (typeof h === "string" ? h : h.name));
        const arb = cfg.galeraArbitrator;
        const arbitrator = arb === undefined ? undefined : typeof arb === "string" ? arb : arb.name;
        units.push({
          stack: s.stackName,
          customer: cfg.customer,
          kind: cfg.edition,
          hostRole: "own",
          need: per,
          total: times(per, cfg.lines + nodes),
          ha: { lines: cfg.lines, databaseNodes: nodes, ...(arbitrator !== undefined ? { arbitrator } : {}) },
          recorded,
          tenants: [],
        });
      } else {
        const total = times(per, cfg.lines + nodes);
        units.push({
          stack: s.stackName,
          customer: cfg.customer,
          kind: cfg.edition,
          hostRole: "own",
          need: total,
          total,
          recorded: cfg.host ? [cfg.host] : undefined,
          tenants: [],
        });
      }
    }
  }

  const fits = (host: string, need: Resources) => {
    const u = usage.get(host)!;
    return u.used.memoryMb + need.memoryMb <= u.usable.memoryMb && u.used.cpuShares + need.cpuShares <= u.usable.cpuShares;
  };
  const take = (host: string, need: Resources, stack: string) => {
    const u = usage.get(host);
    if (!u) return; // an inline host of an HA stack: not the inventory's to account
    u.used = plus(u.used, need);
    if (!u.stacks.includes(stack)) u.stacks.push(stack);
  };
  const haShares = (parts: PartPlacement, per: Resources): Map<string, Resources> => {
    const m = new Map<string, Resources>();
    for (const h of [...parts.lines, ...parts.databaseNodes]) m.set(h, plus(m.get(h) ?? ZERO, per));
    return m;
  };
  const partsOn = (hosts: Host[], ha: NonNullable<Unit["ha"]>) =>
    placeParts({
      hosts,
      lines: ha.lines,
      databaseNodes: ha.databaseNodes,
      key: "lchost:hosts",
      ...(ha.arbitrator !== undefined
        ? { arbitrator: byName.get(ha.arbitrator) ?? ({ name: ha.arbitrator, dockerHost: "", address: "", labels: {} } as Host) }
        : {}),
    });
  const record = (u: Unit, hosts: string[], source: Assignment["source"], parts?: PartPlacement) => {
    assignments.push({ stack: u.stack, customer: u.customer, kind: u.kind, hosts, parts, needs: u.total, source });
    for (const t of u.tenants) {
      const c = t.config.role === "customer" ? t.config : undefined;
      for (const h of hosts) usage.get(h)?.stacks.push(t.stackName);
      assignments.push({
        stack: t.stackName,
        customer: c?.customer,
        kind: "datacenter",
        hosts,
        needs: catalog.editions.datacenter.resources,
        source: "shared-server",
        sharedServer: u.stack,
      });
    }
  };
  const unitNames = (u: Unit) => [u.customer ?? u.stack, ...u.tenants.map((t) => (t.config.role === "customer" ? t.config.customer : t.stackName))];

  // 1. What the stack files already say counts first.
  for (const u of units.filter((x) => x.recorded)) {
    if (u.ha) {
      const hosts = u.recorded!.map((n) => byName.get(n) ?? ({ name: n, dockerHost: "", address: "", labels: {} } as Host));
      let parts: PartPlacement;
      try {
        parts = partsOn(hosts, u.ha);
      } catch (e) {
        if (!(e instanceof HostsError)) throw e;
        problems.push(`${u.stack}: ${e.problems.join("; ")}`);
        unplaced.push(...unitNames(u));
        continue;
      }
      for (const [h, need] of haShares(parts, u.need)) take(h, need, u.stack);
      record(u, u.recorded!, "recorded", parts);
    } else {
      if (!usage.has(u.recorded![0])) {
        problems.push(`${u.stack}: lchost:host '${u.recorded![0]}' is not a host of the inventory (known: ${[...usage.keys()].join(", ")})`);
        unplaced.push(...unitNames(u));
        continue;
      }
      take(u.recorded![0], u.total, u.stack);
      record(u, u.recorded!, "recorded");
    }
  }
  for (const u of usage.values()) {
    if (u.used.memoryMb > u.usable.memoryMb || u.used.cpuShares > u.usable.cpuShares)
      problems.push(
        `host ${u.host}: the stacks that name it (${u.stacks.join(", ")}) need ${show(u.used)}, more than its usable ${show(u.usable)} (capacity less ${headroom} % headroom)`,
      );
  }

  // 2. The rest, largest first, each where most is free.
  const bySize = (a: Unit, b: Unit) =>
    b.total.memoryMb - a.total.memoryMb || b.total.cpuShares - a.total.cpuShares || (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0);
  const mostFree = (a: Host, b: Host) => {
    const ua = usage.get(a.name)!;
    const ub = usage.get(b.name)!;
    const free = (u: HostUsage) => ({ m: u.usable.memoryMb - u.used.memoryMb, c: u.usable.cpuShares - u.used.cpuShares });
    return free(ub).m - free(ua).m || free(ub).c - free(ua).c || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  };
  for (const u of units.filter((x) => !x.recorded).sort(bySize)) {
    // hosts labelled for the unit's role before unlabelled ones, so the labelled pools fill first
    const wanted = u.hostRole === "shared" ? "shared" : "dedicated";
    const labelledFirst = (a: Host, b: Host) => Number(a.labels.role !== wanted) - Number(b.labels.role !== wanted) || mostFree(a, b);
    const eligible = opts.hosts.filter((h) => takes(h, u.hostRole));
    if (!u.ha) {
      const host = eligible.filter((h) => fits(h.name, u.total)).sort(labelledFirst)[0];
      if (!host) {
        const label = u.hostRole === "shared" ? "labelled role: shared or without a role" : "labelled role: dedicated or without a role";
        problems.push(`${describe(u)} needs ${show(u.total)} on one host; no host ${label} has that much left`);
        unplaced.push(...unitNames(u));
        continue;
      }
      take(host.name, u.total, u.stack);
      record(u, [host.name], "placed");
      continue;
    }
    // HA: the N hosts with most free; a host that cannot take its share is dropped for the next one.
    let candidates = [...eligible].sort(labelledFirst);
    let placed: { hosts: Host[]; parts: PartPlacement } | undefined;
    while (candidates.length >= Math.max(2, u.ha.databaseNodes)) {
      const hosts = candidates.slice(0, u.ha.databaseNodes);
      const parts = partsOn(hosts, u.ha);
      const short = [...haShares(parts, u.need)].find(([h, need]) => !fits(h, need));
      if (!short) {
        placed = { hosts, parts };
        break;
      }
      candidates = candidates.filter((h) => h.name !== short[0]);
    }
    if (!placed) {
      problems.push(
        `${describe(u)} needs ${u.ha.databaseNodes} distinct hosts (labelled role: dedicated or without a role) with room for its parts (${show(u.need)} per line or database node); not enough of them have that much left`,
      );
      unplaced.push(...unitNames(u));
      continue;
    }
    for (const [h, need] of haShares(placed.parts, u.need)) take(h, need, u.stack);
    record(
      u,
      placed.hosts.map((h) => h.name),
      "placed",
      placed.parts,
    );
  }

  if (problems.length) {
    const names = [...new Set(unplaced)].sort();
    throw new PlacementError(names.length ? [...problems, `not placed: ${names.join(", ")}`] : problems, names);
  }
  assignments.sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
  return { assignments, hosts: [...usage.values()], skipped };
}

function describe(u: Unit): string {
  if (u.kind === "shared-server") return `shared server ${u.stack} with its ${u.tenants.length} tenant stack(s)`;
  return `${u.customer} (${u.kind})`;
}
