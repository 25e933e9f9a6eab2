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

describe("uploads' modes and owners", () => {
  const inputs = (upload: Record<string, unknown>) => ({ name: "c", image: "i", uploads: [{ file: "/etc/lchost/x/token", content: "t", ...upload }] });

  it("takes the provider's permissions (octal) and numeric owner and group", () => {
    expect(containerSpec(inputs({ permissions: "0400", owner: "100", group: "101" })).uploads[0]).toMatchObject({ mode: 0o400, uid: 100, gid: 101 });
  });

  it("falls back to 0755 / 0644 by the executable flag, owned by root", () => {
    expect(containerSpec(inputs({ executable: true })).uploads[0]).toMatchObject({ mode: 0o755, uid: 0, gid: 0 });
    expect(containerSpec(inputs({})).uploads[0]).toMatchObject({ mode: 0o644, uid: 0, gid: 0 });
  });

  it("refuses a mode that is not octal and an owner by name, naming the upload", () => {
    expect(() => containerSpec(inputs({ permissions: "rw-------" }))).toThrow(
      "upload /etc/lchost/x/token: permissions 'rw-------' is not an octal mode (e.g. 0400)",
    );
    expect(() => containerSpec(inputs({ owner: "prometheus" }))).toThrow("upload /etc/lchost/x/token: owner 'prometheus' must be a numeric id");
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

  it("carries each file's numeric owner (root when none is given)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-tar-"));
    try {
      fs.writeFileSync(
        path.join(dir, "a.tar"),
        tarArchive([
          { path: "/etc/lchost/alertmanager/heal-token", content: "t\n", mode: 0o400, uid: 100, gid: 101 },
          { path: "/etc/lchost/alertmanager/alertmanager.yml", content: "x\n" },
        ]),
      );
      const listing = execFileSync("tar", ["-tvf", "a.tar", "--numeric-owner"], { cwd: dir, encoding: "utf8" });
      expect(listing).toMatch(/^-r-------- 100\/101 .* etc\/lchost\/alertmanager\/heal-token$/m);
      expect(listing).toMatch(/^-rw-r--r-- 0\/0 .* etc\/lchost\/alertmanager\/alertmanager.yml$/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
