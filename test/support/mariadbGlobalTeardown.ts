import * as fs from "fs";
import { stopTestMariadb, STATE_FILE, TestDbState } from "./mariadbServer";

/** Stops the suites' MariaDB by pid and removes its temp directory, once the last project using it is done. */
export default async function globalTeardown(): Promise<void> {
  const g = globalThis as any;
  g.__LCHOST_TEST_MARIADB_USERS__ = (g.__LCHOST_TEST_MARIADB_USERS__ ?? 1) - 1;
  if (g.__LCHOST_TEST_MARIADB_USERS__ > 0) return;
  let state: TestDbState | undefined = g.__LCHOST_TEST_MARIADB__;
  if (!state && fs.existsSync(STATE_FILE)) state = JSON.parse(fs.readFileSync(STATE_FILE, "utf8"));
  if (state) await stopTestMariadb(state);
  g.__LCHOST_TEST_MARIADB__ = undefined;
  fs.rmSync(STATE_FILE, { force: true });
}
