import * as fs from "fs";
import { DockerDeployment } from "./runPlanInDocker";

/**
 * What the Docker smoke runs (`docker:plan-smoke`, `docker:ops-smoke`) share: a TAP-like check line, a poll
 * for things the engine finishes in its own time, and one way to clean up and exit.
 */
export function checker(smoke: string): (cond: unknown, what: string) => void {
  return (cond, what) => {
    if (!cond) throw new Error(`${smoke}: ${what}`);
    console.log(`ok - ${what}`);
  };
}

/**
 * Reads `read()` every `everyMs` until `done(value)` holds or `withinMs` have passed; returns the last value
 * either way, so the caller's check names what was seen last.
 */
export async function pollUntil<T>(read: () => T, done: (value: T) => boolean, withinMs: number, everyMs = 2000): Promise<T> {
  const deadline = Date.now() + withinMs;
  let value = read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, everyMs));
    value = read();
  }
  return value;
}

/** Runs a smoke's body, then removes what it deployed (newest first) and its scratch directory; exit 1 on failure. */
export function runSmoke(body: (deployments: DockerDeployment[]) => Promise<void>, scratchDir: string): void {
  const deployments: DockerDeployment[] = [];
  body(deployments)
    .finally(async () => {
      for (const d of deployments.reverse()) await d.remove().catch((e) => console.error(`cleanup: ${e.message}`));
      fs.rmSync(scratchDir, { recursive: true, force: true });
    })
    .catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
