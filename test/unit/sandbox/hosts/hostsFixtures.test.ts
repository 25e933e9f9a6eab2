import { hostsArbitrator, hostsStackText } from "../../../../bench/hostsFixtures";
import { parseStackFileText } from "../../../../model/stackFile";

describe("the hosts sandbox's stack fixtures (bench/hostsFixtures.ts) are stacks the program accepts", () => {
  it("3 hosts: the hosts, the VIP, no arbitrator", () => {
    const cfg = parseStackFileText(hostsStackText({ customer: "nse", lines: 3, hosts: 3, subnet: 1, signLatencyMs: 20 }), "Pulumi.nse.yaml").config;
    expect(cfg.role === "customer" && [cfg.hosts, cfg.galeraArbitrator, cfg.balancer?.virtualIp]).toEqual([
      [
        { name: "h1", dockerHost: "unix:///var/run/docker.sock", address: "10.245.1.11" },
        { name: "h2", dockerHost: "unix:///var/run/docker.sock", address: "10.245.1.12" },
        { name: "h3", dockerHost: "unix:///var/run/docker.sock", address: "10.245.1.13" },
      ],
      undefined,
      "10.245.1.100",
    ]);
  });

  it("2 hosts: lchost:galeraArbitrator names the third host, the one hostsArbitrator gives the sandbox", () => {
    const text = hostsStackText({ customer: "gthree", lines: 4, hosts: 2, subnet: 31, network: "10.247", signLatencyMs: 20 });
    const cfg = parseStackFileText(text, "Pulumi.gthree.yaml").config;
    expect(cfg.role === "customer" && cfg.galeraArbitrator).toEqual({
      name: "h3",
      dockerHost: "unix:///var/run/docker.sock",
      ...hostsArbitrator(31, "10.247"),
    });
    expect(cfg.role === "customer" && cfg.balancer?.virtualIp).toBe("10.247.31.100");
  });
});
