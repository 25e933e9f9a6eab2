/**
 * What the migration engine needs from wherever a customer runs. Two shapes, one per migration order:
 *
 *  - StagedTarget (the local sandbox): the new database and lines are started beside the old ones
 *    before maintenance, the entry point is moved, then the old side is retired or the new one abandoned
 *    (stagedOrder.ts).
 *  - RedeployTarget (Pulumi on Docker, this repo's docker-run stand-in): the topology comes from one
 *    deployment of the whole stack file; the target dumps and restores inside its containers
 *    (redeployOrder.ts).
 *
 * `order` tells them apart (a discriminant, so callers never test classes); every target has close().
 */
import type { DbConnection } from "./databaseCopy";
import type { DeploymentShape } from "./migrationPlan";

export interface LineEndpoint {
  name: string;
  publicUrl: string;
  adminUrl: string;
}

export interface DeploymentView {
  shape: DeploymentShape;
  /** Where end users and the ERP connect; stays the same across migrations. */
  entryUrl: string;
  lines: LineEndpoint[];
  /** The customer's database (cluster: node 1). */
  database: DbConnection;
  /** Every node holding the data (cluster: 3), for verification. */
  databaseNodes: DbConnection[];
  galera: boolean;
  adminToken: string;
}

export interface PreparedDatabase {
  database: DbConnection;
  databaseNodes: DbConnection[];
  galera: boolean;
  /** true: the new edition keeps the current database (same kind: Dedicated <-> High Performance). */
  reused: boolean;
  description: string;
}

/** What a redeploy target started beside the running deployment before maintenance. */
export interface StagedNew {
  description: string;
  /** The new side, when all of it runs (lines and database, in maintenance): the data is copied and verified there before the switch. */
  view?: DeploymentView;
}

/** What one deployment of the changed stack file produced (targets that redeploy the whole stack). */
export interface Redeployment {
  view: DeploymentView;
  /** true: the new deployment keeps the data where it was (same volume or schema): nothing to restore, only to verify. */
  dataInPlace: boolean;
  description: string;
}

/** What every target offers. */
interface TargetBasics {
  readonly name: string;
  current(): Promise<DeploymentView>;
  /** Removes the data kept from former deployments; returns what was removed. */
  cleanup(): Promise<string[]>;
  /** Releases what this process holds for the target (sandbox: its processes; Docker: local tunnels). */
  close(): Promise<void>;
}

export interface StagedTarget extends TargetBasics {
  readonly order: "staged";
  /** Starts the new, empty database of `shape` (or reuses the current one when the kind is the same). Runs before maintenance. */
  prepareDatabase(shape: DeploymentShape): Promise<PreparedDatabase>;
  /** Starts the lines (and their FSBs) of `shape` against the prepared database; ready, but not yet behind the entry point. */
  startLines(shape: DeploymentShape, db: PreparedDatabase): Promise<LineEndpoint[]>;
  /** Points the entry point at the new lines (graceful: requests in flight finish). After this there is no rollback. */
  switchTraffic(lines: LineEndpoint[]): Promise<void>;
  /** Makes the new deployment the current one and stops the old lines; the old database and its data are kept. */
  retireOld(): Promise<{ retained: string[] }>;
  /** Stops whatever prepareDatabase/startLines started; the old deployment was never touched. */
  abandonNew(): Promise<void>;
  /** High Availability: adds or drains-and-removes lines without maintenance. */
  scaleLines(lines: number, log: (s: string) => void): Promise<void>;
}

export interface RedeployTarget extends TargetBasics {
  readonly order: "redeploy";
  /** Whether an edition change starts as a new generation beside the running deployment (docker-run; `pulumi up` cannot). */
  readonly stagesGeneration: boolean;
  /**
   * Before maintenance: starts beside the old deployment what of the changed stack file (written by the
   * engine) can run at the same time, so that less is deployed inside the window; redeploy() keeps it.
   * Answers what it did, and the new side's view when all of it (lines and database) runs.
   */
  stageNew(shape: DeploymentShape): Promise<StagedNew>;
  /** Removes what stageNew started (a migration rolled back before redeploy). */
  discardStaged(): Promise<void>;
  /**
   * Deploys the stack file as the engine has just written it (the whole stack); checks it gave `shape`.
   * After a whole staged side: switches the entry point to it and leaves the old side running until retireOld().
   */
  redeploy(shape: DeploymentShape): Promise<Redeployment>;
  /** After a failure before maintenance ends: deploys the old stack file (written back by the engine) again. */
  redeployOld(shape: DeploymentShape): Promise<DeploymentView>;
  /** Dumps the database inside its container (instead of mariadb-dump over TCP from this machine). */
  dumpDatabase(view: DeploymentView, file: string): Promise<{ bytes: number }>;
  /** Restores a dump inside the new database's container (node 1 of a cluster). */
  restoreDatabase(view: DeploymentView, file: string): Promise<void>;
  /** After the window: removes what still runs of the old deployment and records its data as kept. */
  retireOld(): Promise<{ retained: string[]; removed: string[] }>;
}

export type DeploymentTarget = StagedTarget | RedeployTarget;
