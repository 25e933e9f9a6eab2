import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { containerSpec } from "../../../dockerRun/containerSpec";
import { tarArchive } from "../../../dockerRun/tarArchive";
import { container, planValues } from "../planHelpers";
import { haValues } from "../stackFixtures";

describe("planned containers as Docker Engine API requests", () => {
  it("carries the planned health check, restart policy, limits, entrypoint and networks", async () => {
    const plan = await planValues("wayne", haValues());
    const spec = containerSpec(container(plan, "lc-wayne-db-2").inputs);
    expect(spec.body).toMatchObject({
      Image: "lchost/mariadb:dev",
      Entrypoint: ["/bin/sh", "/etc/lchost/db/start.sh"],
      Healthcheck: { Test: ["CMD", "mariadb-admin", "ping", "-h", "127.0.0.1", "-P3306"], Interval: 5e9, Retries: 3 },
      HostConfig: { RestartPolicy: { Name: "unless-stopped" }, Memory: 2048 * 1024 * 1024, NetworkMode: "lc-wayne" },
    });
    expect((spec.body.HostConfig as any).Mounts).toEqual([{ Type: "volume", Source: "lc-wayne-db-data-2", Target: "/var/lib/mysql", ReadOnly: false }]);
    expect(spec.uploads.map((u) => u.file)).toEqual(["/etc/lchost/db/90-lchost.cnf", "/etc/lchost/db/start.sh", "/etc/lchost/db/init.sql"]);
    expect(spec.job).toBe(false);
  });

  it("publishes only the gateway's HTTPS port", async () => {
    const plan = await planValues("wayne", haValues());
    const spec = containerSpec(container(plan, "lc-wayne-gateway").inputs);
    expect((spec.body.HostConfig as any).PortBindings).toEqual({ "8443/tcp": [{ HostIp: "", HostPort: "443" }] });
  });
});

describe("tar archive of uploads", () => {
  it("is read back by the system tar with the same paths, contents and modes", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-tar-"));
    const long = `/etc/${"deep/".repeat(25)}file.cfg`;
    fs.writeFileSync(
      path.join(dir, "a.tar"),
      tarArchive([
        { path: "/etc/lchost/db/start.sh", content: "#!/bin/sh\necho hi\n", mode: 0o755 },
        { path: long, content: "x=1\n" },
      ]),
    );
    execFileSync("tar", ["-xf", "a.tar"], { cwd: dir });
    expect(fs.readFileSync(path.join(dir, "etc/lchost/db/start.sh"), "utf8")).toBe("#!/bin/sh\necho hi\n");
    expect(fs.statSync(path.join(dir, "etc/lchost/db/start.sh")).mode & 0o777).toBe(0o755);
    expect(fs.readFileSync(path.join(dir, long.slice(1)), "utf8")).toBe("x=1\n");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
