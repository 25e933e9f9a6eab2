import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { customerEntryAddress, renderCustomerEntryConfig } from "../../../sandbox/customerEntry";
import { assignAddresses, extendAddresses, sandboxOctet } from "../../../sandbox/sandboxAddresses";

describe("the customer's stable entry in the sandbox", () => {
  test("passes TLS through in TCP mode to the current gateway, and the real HAProxy accepts the file", () => {
    const cfg = renderCustomerEntryConfig({
      bind: { address: "127.77.0.1", port: 8443 },
      upstream: { address: "127.77.1.2", port: 8443 },
      adminSocketPath: "/tmp/x.sock",
    });
    expect(cfg).toMatch(/^\s*mode tcp$/m);
    expect(cfg).toMatch(/^\s*bind 127\.77\.0\.1:8443$/m);
    expect(cfg).toMatch(/^\s*server gateway 127\.77\.1\.2:8443 check inter 500ms$/m);
    expect(cfg).not.toMatch(/ssl/);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "entry-")), "entry.cfg");
    fs.writeFileSync(file, cfg);
    const r = spawnSync("haproxy", ["-c", "-q", "-f", file], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  test("sits in the .0. block of the customer's octet, which no sandbox gives a container", () => {
    expect(customerEntryAddress("acme")).toBe(`127.${sandboxOctet("acme")}.0.1`);
    const all = [...assignAddresses("acme", [["a", "b"], ["c"]], ["x"]).values()];
    expect(all.some((a) => a.split(".")[2] === "0")).toBe(false);
  });
});

describe("addresses of a running sandbox whose stack changes", () => {
  test("what exists keeps its address; a new container gets the first free one of its stack", () => {
    const before = assignAddresses("sb", [["db", "fsb-1", "line-1", "gateway"]]);
    const after = extendAddresses("sb", before, [["db", "fsb-1", "line-1", "fsb-2", "line-2", "gateway"]]);
    for (const [host, address] of before) expect(after.get(host)).toBe(address);
    const b = sandboxOctet("sb");
    expect(after.get("fsb-2")).toBe(`127.${b}.1.5`);
    expect(after.get("line-2")).toBe(`127.${b}.1.6`);
  });

  test("a tenant added to a shared server keeps the address its shared entry point already routes to", () => {
    const before = assignAddresses("sb", [["shared-db", "shared-entry"]], ["lc-acme-line-1"]);
    const after = extendAddresses("sb", before, [
      ["shared-db", "shared-entry"],
      ["lc-acme-sql", "lc-acme-line-1"],
    ]);
    expect(after.get("lc-acme-line-1")).toBe(before.get("lc-acme-line-1"));
    expect(after.get("lc-acme-sql")).toBe(`127.${sandboxOctet("sb")}.2.1`);
  });
});
