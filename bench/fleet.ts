import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/**
 * A generated fleet of customer stacks in the mix of the real customer base: about 60 % Datacenter,
 * 25 % Dedicated, 10 % High Performance, 5 % High Availability with 2-4 lines; Datacenter tenants
 * spread over shared servers of at most 30 tenants. The same mix on Docker or on Kubernetes.
 */
export interface FleetStack {
  name: string;
  edition: string;
  /** Stacks planned in the same worker share its shared-server plan. */
  group: string;
}

export function writeFleet(dir: string, customers = 150, platform: "docker" | "kubernetes" = "docker"): FleetStack[] {
  fs.mkdirSync(dir, { recursive: true });
  const mix: Array<[string, number]> = [
    ["datacenter", Math.round(customers * 0.6)],
    ["dedicated", Math.round(customers * 0.25)],
    ["high-performance", Math.round(customers * 0.1)],
  ];
  mix.push(["high-availability", customers - mix.reduce((a, [, n]) => a + n, 0)]);
  const stacks: FleetStack[] = [];
  // on Kubernetes: every stack with the platform key, the gateway Service types and storage classes varied
  const onPlatform = (name: string, config: Record<string, unknown>): Record<string, unknown> =>
    platform === "docker"
      ? config
      : {
          ...config,
          "lchost:platform": "kubernetes",
          "lchost:kubernetes": { storageClass: "standard", serviceType: ["LoadBalancer", "NodePort", "ClusterIP"][name.length % 3] },
        };
  const write = (name: string, config: Record<string, unknown>) =>
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), YAML.stringify({ config: onPlatform(name, config) }));
  let i = 0;
  const tenantsPerShared = 30;
  for (const [edition, count] of mix) {
    for (let k = 0; k < count; k++, i++) {
      const customer = `cust${String(i).padStart(3, "0")}`;
      const config: Record<string, unknown> = { "lchost:customer": customer, "lchost:edition": edition };
      let group = customer;
      if (edition === "datacenter") {
        const shared = `shared-${Math.floor(k / tenantsPerShared) + 1}`;
        config["lchost:sharedServer"] = shared;
        group = shared;
      } else {
        config["lchost:connection"] = { ipAllowList: ["198.51.100.0/24"], basicAuth: { username: "erp", passwordKey: "wsPassword" } };
        config["lchost:wsPassword"] = { secure: "v1:c2FsdA==:Y2lwaGVy" };
        if (edition === "dedicated") {
          config["lchost:fsb"] = { mode: "shared", sharedUrl: "http://fsb.dc1.lchost.local:7070", tokenKey: "fsbToken" };
          config["lchost:fsbToken"] = { secure: "v1:c2FsdA==:Y2lwaGVy" };
        }
        if (edition === "high-availability") config["lchost:lines"] = 2 + (k % 3);
      }
      write(customer, config);
      stacks.push({ name: customer, edition, group });
    }
  }
  const sharedServers = new Set(stacks.filter((s) => s.edition === "datacenter").map((s) => s.group));
  for (const shared of sharedServers) {
    const tenants = stacks.filter((s) => s.group === shared).map((s) => s.name);
    write(shared, { "lchost:role": "shared-server", "lchost:domain": `${shared}.lchost.local`, "lchost:tenants": tenants });
  }
  return stacks;
}
