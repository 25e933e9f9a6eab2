import type { Database } from "../../../license-central/src/db";
import { LcStore } from "../../../license-central/src/store";

/** LcStore.ping, the database half of /readyz, on a fake database answering SHOW STATUS LIKE 'wsrep_ready'. */
describe("License Central's database readiness", () => {
  const store = (rows: unknown[]) => {
    const asked: string[] = [];
    const db = { query: async (sql: string) => (asked.push(sql), [rows, []]) } as unknown as Database;
    return { s: new LcStore(db), asked };
  };

  test("a Galera node outside the primary component (wsrep_ready OFF) is not ready, though it still answers", async () => {
    const { s, asked } = store([{ Variable_name: "wsrep_ready", Value: "OFF" }]);
    await expect(s.ping(800)).rejects.toMatchObject({ code: "WSREP_NOT_READY" });
    expect(asked).toEqual(["SHOW STATUS LIKE 'wsrep_ready'"]);
  });

  test("a Galera node in the primary component is ready", async () => {
    await expect(store([{ Variable_name: "wsrep_ready", Value: "ON" }]).s.ping(800)).resolves.toBeUndefined();
  });

  test("a server without Galera (no wsrep_ready row) is ready when it answers", async () => {
    await expect(store([]).s.ping(800)).resolves.toBeUndefined();
  });
});
