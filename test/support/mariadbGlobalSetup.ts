import * as fs from "fs";
import { MariadbNotInstalledError } from "../../sandbox/mariadbProcess";
import { startTestMariadb, STATE_FILE } from "./mariadbServer";

/** Starts one throw-away MariaDB for the whole services suite (see mariadbServer.ts). */
export default async function globalSetup(): Promise<void> {
  try {
    const state = await startTestMariadb();
    fs.writeFileSync(STATE_FILE, JSON.stringify(state));
    (globalThis as any).__LCHOST_TEST_MARIADB__ = state;
  } catch (err) {
    if (err instanceof MariadbNotInstalledError) {
      throw new Error(`The services tests need a real MariaDB: ${err.message}`);
    }
    throw err;
  }
}
