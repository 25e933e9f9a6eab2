/**
 * The plan of `lchost migrate`, shown before anything happens: what the stack file change does, what
 * data moves where, whether the customer goes into maintenance and for how long. Pure.
 */
import { EditionId, editionFacts, monthlyQuotas } from "../model/catalog";
import { customerNames, tenantDatabaseName } from "../model/naming";
import type { CustomerConfig } from "../model/stackConfig";
import { DatabaseKind, estimateDowntime, DowntimeEstimate, MigrationOrder } from "./downtimeEstimate";
import { MonthUsage, QuotaExcess, quotaExcesses } from "./quotaCheck";
import { changeStackFileEdition, EditionTarget, StackFileEdit } from "./stackFileChange";

export type { DatabaseKind, MigrationOrder };

export interface DeploymentShape {
  edition: EditionId;
  lines: number;
}

export interface MigrationPlan {
  stackName: string;
  customer: string;
  from: DeploymentShape;
  to: DeploymentShape;
  /** edition-change: data is dumped, (moved,) verified under maintenance; scale-lines: HA lines added or drained, no maintenance. */
  kind: "edition-change" | "scale-lines" | "none";
  direction: "up" | "down" | "same";
  stackFile: { edits: StackFileEdit[]; problems: string[]; text: string };
  data: { from: string; to: string; moves: boolean; description: string };
  maintenance: boolean;
  quota: { excesses: QuotaExcess[]; refused: boolean };
  /** The order the target runs (its window is what `downtime` estimates). */
  order: MigrationOrder;
  /** redeploy: the deployment generation the stack file gets (docker-run: the new side starts beside the old one). */
  newGeneration?: number;
  /** redeploy: the whole new side (database, FSBs, lines) starts before maintenance; the window holds the copy and the switch only. */
  stagedWhole: boolean;
  downtime: DowntimeEstimate;
  steps: string[];
  /** Why the plan cannot run (invalid stack file change, quota excess without --force, nothing to do). */
  refusals: string[];
}

export function databaseKind(edition: EditionId): DatabaseKind {
  return editionFacts(edition).database.kind;
}

export function describeDatabase(customer: string, edition: EditionId, sharedServer?: string, generation?: number): string {
  const n = customerNames(customer, generation);
  switch (databaseKind(edition)) {
    case "shared-tenant":
      return `schema ${tenantDatabaseName(customer)} on the shared MariaDB of ${sharedServer ?? "the shared server"}`;
    case "single":
      return `own MariaDB server ${n.dbHost(1)} (volume ${n.dbVolume(1)}), schema ${n.schema}`;
    case "cluster":
      return `3-node Galera cluster ${[1, 2, 3].map((i) => n.dbHost(i)).join(", ")}, schema ${n.schema}`;
  }
}

function capacity(s: DeploymentShape): number {
  return monthlyQuotas(s.edition, s.lines).activationsPerMonth;
}

export interface PlanInput {
  stackName: string;
  stackFileText: string;
  stackFilePath: string;
  current: CustomerConfig;
  target: EditionTarget;
  /** Usage of the last and the current month (read from the customer's database). */
  usage: MonthUsage[];
  /** Rows in the customer's database, for the downtime estimate. */
  rows: number;
  force?: boolean;
  sharedServer?: string;
  /** The order the target will run: "staged" (sandbox, the default) or "redeploy" (Pulumi, docker-run). */
  order?: MigrationOrder;
  /**
   * redeploy: whether the deployer starts the new edition as a new generation beside the old deployment
   * (docker-run: yes, the default; `pulumi up`: no). The stack file then gets the next `lchost:generation`.
   */
  stagesGeneration?: boolean;
}

/**
 * Whether docker-run can start the whole new side (database, FSBs, lines) before maintenance: every new
 * name is free. Only a Datacenter line keeps its name across generations (the shared server's entry point
 * routes to it), so it collides with the line of an own server deployed before generations existed.
 */
export function newSideStagesWhole(current: CustomerConfig, to: EditionId): boolean {
  const own = (e: EditionId) => databaseKind(e) !== "shared-tenant";
  if (!own(to)) return !own(current.edition) || current.generation !== undefined;
  return true;
}

export function planMigration(input: PlanInput): MigrationPlan {
  const cur = input.current;
  const from: DeploymentShape = { edition: cur.edition, lines: cur.lines };
  const toFacts = editionFacts(input.target.edition);
  const to: DeploymentShape = {
    edition: input.target.edition,
    lines:
      input.target.edition === "high-availability" ? (input.target.lines ?? (from.edition === "high-availability" ? from.lines : toFacts.lines.default)) : 1,
  };
  const refusals: string[] = [];
  if (to.lines < toFacts.lines.min || to.lines > toFacts.lines.max) {
    refusals.push(`--lines: ${to.lines} is not allowed for ${toFacts.title} (allowed: ${toFacts.lines.min}-${toFacts.lines.max})`);
  }
  const sameEdition = from.edition === to.edition;
  const kind: MigrationPlan["kind"] = sameEdition ? (from.lines === to.lines ? "none" : "scale-lines") : "edition-change";
  if (kind === "none")
    refusals.push(`${input.stackName} is already ${toFacts.title}${to.edition === "high-availability" ? ` with ${to.lines} lines` : ""}: nothing to do`);
  const direction = capacity(to) > capacity(from) ? "up" : capacity(to) < capacity(from) ? "down" : "same";

  const order = input.order ?? "staged";
  // docker-run starts every edition change as a new generation beside the old deployment
  const newGeneration = kind === "edition-change" && order === "redeploy" && (input.stagesGeneration ?? true) ? (cur.generation ?? 0) + 1 : undefined;
  const change = changeStackFileEdition(
    input.stackFileText,
    input.stackFilePath,
    { edition: to.edition, lines: to.lines },
    { sharedServer: input.sharedServer, generation: newGeneration },
  );
  for (const p of change.problems) refusals.push(`stack file after the change: ${p}`);
  const sharedServer = input.sharedServer ?? cur.sharedServer ?? (change.stack?.config.role === "customer" ? change.stack.config.sharedServer : undefined);

  const excesses = quotaExcesses(input.usage, to);
  const quotaRefused = excesses.length > 0 && !input.force;
  if (quotaRefused) for (const e of excesses) refusals.push(`quota: ${e.message} (use --force to move anyway)`);

  const fromKind = databaseKind(from.edition);
  const toKind = databaseKind(to.edition);
  const stagedWhole = newGeneration !== undefined && newSideStagesWhole(cur, to.edition);
  // the sandbox gives every edition of another database kind its own database; a new generation on Docker has
  // its own too; `pulumi up` keeps node 1's volume between a server and a cluster
  const moves =
    kind === "edition-change" && (order === "redeploy" ? stagedWhole || (fromKind === "shared-tenant") !== (toKind === "shared-tenant") : fromKind !== toKind);
  const fromDb = describeDatabase(cur.customer, from.edition, cur.sharedServer, cur.generation);
  const toDb = describeDatabase(cur.customer, to.edition, sharedServer, newGeneration ?? cur.generation);
  const description =
    kind === "scale-lines"
      ? `data stays in ${fromDb}; lines ${from.lines} -> ${to.lines}`
      : moves
        ? `dump ${fromDb} (mariadb-dump --single-transaction) and restore into ${toDb}${toKind === "cluster" ? " (node 1; Galera replicates to the others)" : ""}; the old database is kept`
        : `data stays in ${fromDb === toDb ? fromDb : `the volume of ${fromDb} (now ${toDb})`}; a dump is taken as a backup and every table is verified after the change`;
  const maintenance = kind === "edition-change";
  const downtime = estimateDowntime({
    rows: input.rows,
    from: fromKind,
    to: toKind,
    dataMoves: moves,
    maintenance,
    newLines: to.lines,
    oldLines: from.lines,
    order,
    stagedWhole,
  });
  const topology = `${toFacts.title}${to.edition === "high-availability" ? `, ${to.lines} lines` : ""}`;

  const steps =
    kind === "scale-lines"
      ? to.lines > from.lines
        ? [`start line(s) ${from.lines + 1}..${to.lines} and wait until ready`, "add them to HAProxy (graceful reload -sf)", "write the stack file"]
        : [
            `drain line(s) ${to.lines + 1}..${from.lines} on HAProxy (set server … state drain)`,
            "wait until their connections finish",
            "remove them from HAProxy (graceful reload) and stop them",
            "write the stack file",
          ]
      : order === "redeploy" && stagedWhole
        ? [
            `write the stack file (lchost:generation ${newGeneration}) and start the new side beside the old deployment: ${toDb}, ${topology}; its lines start in maintenance`,
            "maintenance on: depot and web services answer 503 + Retry-After on every line; wait until no write is in flight",
            `dump the customer's database (${fromDb})`,
            `restore the dump into the new database${toKind === "cluster" ? " (node 1; Galera replicates to the others)" : ""}`,
            "verify row counts and a SHA-256 per table against the source, on every node",
            toKind !== "shared-tenant" && fromKind !== "shared-tenant"
              ? "switch the entry point to the new lines (HAProxy reloads its new configuration in place, no restart)"
              : `switch to the new side (${toKind === "shared-tenant" ? "the shared server's entry point routes to the new line" : "the new entry point is already up"})`,
            "maintenance off on the new lines",
            "remove the old side's containers; its data is kept until `lchost migrate <stack> --cleanup`",
          ]
        : order === "redeploy"
          ? [
              `write the stack file${newGeneration !== undefined ? ` (lchost:generation ${newGeneration})` : ""} and start beside the old deployment what can run there`,
              "maintenance on: depot and web services answer 503 + Retry-After on every line; wait until no write is in flight",
              `dump the customer's database (${fromDb})`,
              `deploy the changed stack (${topology}): the lines and the entry point are replaced${moves ? ", the new database started" : ", the database restarted on its volume"} inside the window`,
              ...(moves ? ["restore the dump into the new database"] : []),
              "verify row counts and a SHA-256 per table against the source",
              "maintenance off on the new lines",
              "the old data is kept until `lchost migrate <stack> --cleanup`",
            ]
          : [
              ...(moves ? [`start the new database: ${toDb}`] : []),
              "maintenance on: depot and web services answer 503 + Retry-After on every line; wait until no write is in flight",
              `dump the customer's database (${fromDb})`,
              ...(moves ? ["restore the dump into the new database"] : []),
              "verify row counts and a SHA-256 per table against the source",
              `write the stack file and start the new topology (${topology})`,
              "switch traffic to the new lines, maintenance off",
              "stop the old lines (the old database and its data are kept until `lchost migrate <stack> --cleanup`)",
            ];
  return {
    stackName: input.stackName,
    customer: cur.customer,
    from,
    to,
    kind,
    direction,
    stackFile: { edits: change.edits, problems: change.problems, text: change.text },
    data: { from: fromDb, to: moves ? toDb : fromDb, moves, description },
    maintenance,
    quota: { excesses, refused: quotaRefused },
    order,
    ...(newGeneration !== undefined ? { newGeneration } : {}),
    stagedWhole,
    downtime,
    steps,
    refusals,
  };
}

const show = (v: unknown) => (v === undefined ? "(absent)" : typeof v === "string" ? v : JSON.stringify(v));

/** The plan as the operator reads it before confirming. */
export function renderPlan(plan: MigrationPlan): string[] {
  const title = (s: DeploymentShape) => `${editionFacts(s.edition).title}${s.edition === "high-availability" ? ` (${s.lines} lines)` : ""}`;
  const out = [`Migration plan for ${plan.stackName} (customer ${plan.customer}): ${title(plan.from)} -> ${title(plan.to)} [${plan.kind}, ${plan.direction}]`];
  out.push("Stack file:");
  for (const e of plan.stackFile.edits) out.push(`  ${e.action.padEnd(8)} ${e.key}: ${show(e.from)} -> ${show(e.to)}`);
  out.push(`Data: ${plan.data.description}`);
  out.push(
    plan.maintenance
      ? `Downtime: maintenance window ~${plan.downtime.seconds} s (${plan.downtime.parts.map((p) => `${p.step} ${p.seconds} s`).join(", ")})`
      : "Downtime: none (no maintenance: lines are added or drained behind the balancer)",
  );
  for (const e of plan.quota.excesses) out.push(`Quota: ${e.message}${plan.quota.refused ? "" : " (--force given)"}`);
  out.push("Steps:");
  plan.steps.forEach((s, i) => out.push(`  ${i + 1}. ${s}`));
  if (plan.refusals.length) {
    out.push("Refused:");
    for (const r of plan.refusals) out.push(`  - ${r}`);
  }
  return out;
}
