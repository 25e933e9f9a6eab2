import type { Database } from "../../../license-central/src/db";
import { LcStore } from "../../../license-central/src/store";

/**
 * LcStore.ping, the database half of /readyz, on a fake database answering SHOW VARIABLES LIKE 'wsrep_on' and
 * SHOW STATUS LIKE 'wsrep_ready' as MariaDB 10.11 does (checked on Debian's mariadbd: without Galera it
 * reports wsrep_on OFF and wsrep_ready OFF).
 */
describe("License Central's database readiness", () => {
  const store = (answers: Record<string, string | undefined>) => {
    const asked: string[] = [];
    const db = {
      query: async (sql: string) => {
        asked.push(sql);
        const name = /LIKE '(\w+)'/.exec(sql)![1];
        return [answers[name] === undefined ? [] : [{ Variable_name: name, Value: answers[name] }], []];
      },
    } as unknown as Database;
    return { s: new LcStore(db), asked };
  };

  test("a Galera node outside the primary component (wsrep_ready OFF) is not ready, though it still answers", async () => {
    const { s, asked } = store({ wsrep_on: "ON", wsrep_ready: "OFF" });
    await expect(s.ping(800)).rejects.toMatchObject({ code: "WSREP_NOT_READY" });
    expect(asked).toEqual(["SHOW VARIABLES LIKE 'wsrep_on'", "SHOW STATUS LIKE 'wsrep_ready'"]);
  });

  test("a Galera node in the primary component is ready", async () => {
    await expect(store({ wsrep_on: "ON", wsrep_ready: "ON" }).s.ping(800)).resolves.toBeUndefined();
  });

  test("a server without Galera is ready when it answers, although MariaDB reports wsrep_ready OFF there", async () => {
    await expect(store({ wsrep_on: "OFF", wsrep_ready: "OFF" }).s.ping(800)).resolves.toBeUndefined();
  });

  test("a server built without wsrep (no such variable) is ready when it answers", async () => {
    await expect(store({}).s.ping(800)).resolves.toBeUndefined();
  });
});
