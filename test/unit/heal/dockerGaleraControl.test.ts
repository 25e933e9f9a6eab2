/** The Docker Galera seam against a recorded fake of the Engine API: which containers it finds, and the one-off containers it runs. */
import { DockerEngine } from "../../../dockerRun/dockerEngine";
import { DockerGaleraControl } from "../../../heal/seams/galera";

function fakeEngine(state: Record<string, string>, logs: string, exitCode = 0) {
  const calls: Array<{ method: string; path: string; body?: any }> = [];
  const list = Object.entries(state).map(([name, s]) => ({
    Id: name,
    Names: [`/${name}`],
    Image: "lchost/mariadb:dev",
    State: s,
    Labels: {},
    Mounts: [{ Type: "volume", Name: `${name}-data`, Destination: "/var/lib/mysql" }],
  }));
  const answer = (method: string, path: string, body?: unknown) => {
    calls.push({ method, path, body });
    if (path.startsWith("/containers/json")) return { status: 200, body: list };
    if (path.endsWith("/wait")) return { status: 200, body: { StatusCode: exitCode } };
    if (path.includes("/logs")) return { status: 200, body: logs };
    return { status: method === "POST" && path.startsWith("/containers/create") ? 201 : 204, body: undefined };
  };
  const engine = {
    request: async (m: string, p: string, b?: unknown) => answer(m, p, b),
    ok: async (m: string, p: string, b?: unknown) => answer(m, p, b).body,
  } as unknown as DockerEngine;
  return { engine, calls };
}

const CLUSTER = { "lc-hooli-db": "exited", "lc-hooli-db-2": "exited", "lc-hooli-db-3": "exited" };

it("finds the customer's nodes by its labels and names", async () => {
  const { engine, calls } = fakeEngine({ ...CLUSTER, "lc-hooli-db-exporter": "running" }, "");
  expect(await new DockerGaleraControl(engine).nodes("hooli")).toEqual([1, 2, 3]);
  expect(decodeURIComponent(calls[0].path)).toContain('{"label":["lchost.customer=hooli","lchost.role=database"]}');
});

it("--wsrep-recover runs in a one-off container of the node's image on its volume, without network, and is removed", async () => {
  const { engine, calls } = fakeEngine(CLUSTER, "WSREP: Recovered position: 6a3e1c2b-0000-11ee-9d4f-1b2c3d4e5f60:42\r\n");
  const log = await new DockerGaleraControl(engine).recover("hooli", 2);
  expect(log).toContain("Recovered position: 6a3e1c2b-0000-11ee-9d4f-1b2c3d4e5f60:42\n");
  const create = calls.find((c) => c.path.startsWith("/containers/create"))!;
  expect(create.body).toMatchObject({
    Image: "lchost/mariadb:dev",
    Entrypoint: ["mariadbd"],
    NetworkDisabled: true,
    HostConfig: { Binds: ["lc-hooli-db-2-data:/var/lib/mysql"], NetworkMode: "none" },
  });
  expect(create.body.Cmd).toEqual(expect.arrayContaining(["--wsrep-recover", "--user=mysql", "--datadir=/var/lib/mysql"]));
  const oneOff = decodeURIComponent(create.path.split("name=")[1]);
  expect(calls[calls.length - 1]).toEqual({ method: "DELETE", path: `/containers/${encodeURIComponent(oneOff)}?force=1`, body: undefined });
});

it("starting a founder prepares its volume first (founder script), then starts the container; a running node is refused", async () => {
  const { engine, calls } = fakeEngine(CLUSTER, "");
  await new DockerGaleraControl(engine).start("hooli", 3, "founder");
  const create = calls.find((c) => c.path.startsWith("/containers/create"))!;
  expect(create.body.Entrypoint).toEqual(["/bin/sh", "-c"]);
  expect(create.body.Cmd[0]).toContain("safe_to_bootstrap: 1");
  expect(create.body.Cmd.slice(1)).toEqual(["prepare", "/var/lib/mysql"]);
  expect(calls[calls.length - 1]).toEqual({ method: "POST", path: "/containers/lc-hooli-db-3/start", body: undefined });

  const running = fakeEngine({ ...CLUSTER, "lc-hooli-db-3": "restarting" }, "");
  await expect(new DockerGaleraControl(running.engine).start("hooli", 3, "joiner")).rejects.toThrow(/restarting: not started as joiner/);
  expect(running.calls.some((c) => c.path.startsWith("/containers/create"))).toBe(false);
});

it("a failed preparation does not start the node", async () => {
  const { engine, calls } = fakeEngine(CLUSTER, "no grastate.dat in /var/lib/mysql", 3);
  await expect(new DockerGaleraControl(engine).start("hooli", 1, "joiner")).rejects.toThrow(/preparing lc-hooli-db as joiner failed \(3\)/);
  expect(calls.some((c) => c.path === "/containers/lc-hooli-db/start")).toBe(false);
});
