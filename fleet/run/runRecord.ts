/**
 * A fleet run on disk: `.fleet/<run-id>/run.json` (what was selected, with which options, each stack's
 * status and times) rewritten atomically after every change, and one log file per stack beside it.
 * `--resume <run-id>` reads it back and runs again only the stacks that did not succeed.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { RunKind } from "./selection";
import { StackStatus } from "./scheduler";

export const RUN_RECORD_VERSION = 1;

/** The options a run was started with; --resume keeps them except the ones in RESUMABLE_OPTIONS. */
export interface RunOptions {
  /** `offline` for plan (no engine). */
  target: "pulumi" | "docker" | "offline";
  stacksDir: string;
  concurrency: number;
  failFast: boolean;
  deleteData: boolean;
  /** The --select arguments as given. */
  select: string[];
}

/** What --resume may change: how the rest runs, never what runs or where. */
export const RESUMABLE_OPTIONS = ["concurrency", "failFast"] as const;

export interface StackRecord {
  name: string;
  edition: string;
  hosts: string[];
  status: StackStatus;
  reason?: string;
  /** ISO times of the last attempt. */
  startedAt?: string;
  finishedAt?: string;
  seconds?: number;
  /** How many times it was run (a resume adds one to what it runs again). */
  attempts: number;
  /** The run's attempt (1 = the first run, 2 = the first --resume, ...) that it last ran in. */
  lastAttempt?: number;
  /** Relative to the run directory. */
  log: string;
}

export interface RunRecord {
  version: number;
  runId: string;
  kind: RunKind;
  createdAt: string;
  updatedAt: string;
  /** 1 for the first run; each --resume adds one. */
  attempt: number;
  options: RunOptions;
  stacks: StackRecord[];
}

/** A run-id that sorts by start time: `20261128T171500Z-ab12`. */
export function newRunId(now: Date, random: () => string = () => crypto.randomBytes(2).toString("hex")): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
  return `${stamp}-${random()}`;
}

const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{4}$/;

export function runDir(runsDir: string, runId: string): string {
  return path.join(runsDir, runId);
}

export function stackLogName(stack: string): string {
  return `${stack}.log`;
}

/** Writes run.json by write-to-temp + rename, so a reader (or a crash) never sees half a file. */
export function writeRunRecord(runsDir: string, record: RunRecord): void {
  const dir = runDir(runsDir, record.runId);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, "run.json");
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export class UnknownRun extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnknownRun";
  }
}

/** The record of an earlier run; an unknown or unreadable run-id is refused naming --resume. */
export function readRunRecord(runsDir: string, runId: string): RunRecord {
  const known = () => {
    const runs = fs.existsSync(runsDir)
      ? fs
          .readdirSync(runsDir)
          .filter((d) => RUN_ID.test(d))
          .sort()
      : [];
    return runs.length ? `latest: ${runs.slice(-3).join(", ")}` : `no runs in ${runsDir}`;
  };
  if (!RUN_ID.test(runId)) throw new UnknownRun(`--resume: '${runId}' is not a run-id (like 20261128T171500Z-ab12; ${known()})`);
  const file = path.join(runDir(runsDir, runId), "run.json");
  if (!fs.existsSync(file)) throw new UnknownRun(`--resume: no run '${runId}' in ${runsDir} (${known()})`);
  let record: RunRecord;
  try {
    record = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new UnknownRun(`--resume: ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (record.version !== RUN_RECORD_VERSION || !Array.isArray(record.stacks))
    throw new UnknownRun(`--resume: ${file} is not a run record of this lchost (version ${record.version})`);
  return record;
}
