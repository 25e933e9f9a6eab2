import { siteEntryConfig } from "../../../../sandbox/geo/siteEntry";
import { garbdArgs } from "../../../../sandbox/geo/garbdProcess";

const planned = [
  "global",
  "  stats socket /sb/lc-geo-gateway/tmp/haproxy-admin.sock mode 600 level admin",
  "frontend monitor",
  "  bind 127.20.1.9:8404",
  "frontend https",
  "  bind 127.20.1.9:8443 ssl crt /sb/server.pem",
  "backend license_central",
  "  server line1 10.247.1.3:8080 check",
  "  server line2 10.247.2.3:8080 check",
].join("\n");

describe("siteEntryConfig", () => {
  const b = siteEntryConfig(planned, { address: "10.247.2.4", adminSocket: "/w/entry-b/admin.sock", localLineAddresses: ["10.247.2.3"] });

  it("moves every bind to the site's address and keeps the ports and options", () => {
    expect(b).toContain("  bind 10.247.2.4:8404\n");
    expect(b).toContain("  bind 10.247.2.4:8443 ssl crt /sb/server.pem");
    expect(b).not.toContain("127.20.1.9");
  });

  it("gives the site's entry its own admin socket", () => {
    expect(b).toContain("stats socket /w/entry-b/admin.sock mode 600 level admin");
  });

  it("keeps the site's own lines as they are and makes the other sites' lines backup servers", () => {
    expect(b.split("\n")).toContain("  server line2 10.247.2.3:8080 check");
    expect(b).toContain("  server line1 10.247.1.3:8080 check backup");
  });

  it("refuses a config without an admin socket", () => {
    expect(() => siteEntryConfig(planned.replace(/^.*stats socket.*$/m, ""), { address: "x", adminSocket: "y", localLineAddresses: [] })).toThrow(
      "admin sockets",
    );
  });
});

describe("garbdArgs", () => {
  it("joins the data nodes' group by its cluster name and listens on the arbitrator's own address", () => {
    expect(garbdArgs({ name: "garbd", clusterName: "lc-geo", members: ["10.247.1.1:4567", "10.247.2.1:4567"], address: "10.247.3.1" })).toEqual([
      "--group",
      "lc-geo",
      "--name",
      "garbd",
      "--address",
      "gcomm://10.247.1.1:4567,10.247.2.1:4567",
      "--options",
      "gmcast.listen_addr=tcp://10.247.3.1:4567",
    ]);
  });
  it("refuses an arbitrator without data nodes", () => {
    expect(() => garbdArgs({ name: "g", clusterName: "c", members: [], address: "10.0.0.1" })).toThrow("members");
  });
});
