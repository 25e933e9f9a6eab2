/**
 * Values computed once per `jest` run and shared by the unit tier's test files (each file has its own
 * module registry, so an in-memory cache lasts one file). The global setup names a fresh folder for the
 * run in LCHOST_UNIT_RUN_CACHE and the global teardown removes it, so nothing outlives the run: a value
 * can never be stale against the source it was computed from. The first file to ask computes under an
 * exclusive lock file and writes the JSON atomically; the others wait for it. Without the folder (a file
 * run outside its project's setup) each file computes for itself.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const RUN_CACHE_ENV = "LCHOST_UNIT_RUN_CACHE";
const WAIT_MS = 180_000;

export async function sharedOncePerRun<T>(key: string, compute: () => Promise<T>): Promise<T> {
  const dir = process.env[RUN_CACHE_ENV];
  if (!dir || !fs.existsSync(dir)) return compute();
  const file = path.join(dir, `${key}.json`);
  const lock = path.join(dir, `${key}.lock`);
  const read = () => JSON.parse(fs.readFileSync(file, "utf8")) as T;
  if (fs.existsSync(file)) return read();
  let fd: number | undefined;
  try {
    fd = fs.openSync(lock, "wx");
  } catch {
    // another file computes it: wait for its result (it writes even when it fails, see below)
    const until = Date.now() + WAIT_MS;
    while (Date.now() < until) {
      if (fs.existsSync(file)) return read();
      if (fs.existsSync(`${file}.failed`)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return compute();
  }
  try {
    const value = await compute();
    // the shared copy is what every file reads, this one included: a JSON round trip for all alike
    const text = JSON.stringify(value);
    fs.writeFileSync(`${file}.tmp`, text);
    fs.renameSync(`${file}.tmp`, file);
    return JSON.parse(text) as T;
  } catch (err) {
    fs.writeFileSync(`${file}.failed`, String(err));
    throw err;
  } finally {
    fs.closeSync(fd);
  }
}

/** jest globalSetup of the unit project. */
export function createRunCache(): void {
  process.env[RUN_CACHE_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-unit-run-"));
}

/** jest globalTeardown of the unit project. */
export function removeRunCache(): void {
  const dir = process.env[RUN_CACHE_ENV];
  if (dir && path.basename(dir).startsWith("lchost-unit-run-")) fs.rmSync(dir, { recursive: true, force: true });
}
