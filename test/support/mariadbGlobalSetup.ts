import * as fs from "fs";
import { MariadbNotInstalledError } from "../../sandbox/mariadbProcess";
import { startTestMariadb, STATE_FILE } from "./mariadbServer";

/**
 * Starts one throw-away MariaDB for the suites that need it (services, security: see mariadbServer.ts). Jest
 * runs every project's global setup in one process, so a second project reuses the first one's server
 * (counted, stopped by the last teardown).
 */
export default async function globalSetup(): Promise<void> {
  const g = globalThis as any;
  if (g.__LCHOST_TEST_MARIADB__) {
    g.__LCHOST_TEST_MARIADB_USERS__ = (g.__LCHOST_TEST_MARIADB_USERS__ ?? 1) + 1;
    return;
  }
  try {
    const state = await startTestMariadb();
    fs.writeFileSync(STATE_FILE, JSON.stringify(state));
    g.__LCHOST_TEST_MARIADB__ = state;
    g.__LCHOST_TEST_MARIADB_USERS__ = 1;
  } catch (err) {
    if (err instanceof MariadbNotInstalledError) {
      throw new Error(`The services and security tests need a real MariaDB: ${err.message}`);
    }
    throw err;
  }
}
