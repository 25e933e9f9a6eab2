import * as fs from "fs";
import { stopTestMariadb, STATE_FILE, TestDbState } from "./mariadbServer";

/** Stops the suite's MariaDB by pid and removes its temp directory. */
export default async function globalTeardown(): Promise<void> {
  let state: TestDbState | undefined = (globalThis as any).__LCHOST_TEST_MARIADB__;
  if (!state && fs.existsSync(STATE_FILE)) state = JSON.parse(fs.readFileSync(STATE_FILE, "utf8"));
  if (state) await stopTestMariadb(state);
  fs.rmSync(STATE_FILE, { force: true });
}
