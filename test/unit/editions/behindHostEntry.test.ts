import { unwrapSecrets } from "../../../planner/planValues";
import { container, planValues, upload } from "../planHelpers";
import { datacenterValues, dedicatedValues, parse, sharedValues } from "../stackFixtures";

jest.setTimeout(120_000); // whole stacks planned under the mock runtime on a loaded 2-core machine

/**
 * lchost:behindHostEntry (docs/hosts.md, "The per-host HTTPS entry"): the gateway of a stack behind its
 * host's entry takes the entry's PROXY v2 header on its public bind and publishes lchost:httpsPort on
 * loopback only (anyone else reaching a bind that trusts PROXY headers could forge the client address).
 */
const config = (plan: Awaited<ReturnType<typeof planValues>>, name: string) =>
  String(upload(container(plan, name), "/usr/local/etc/haproxy/haproxy.cfg").content);
const ports = (plan: Awaited<ReturnType<typeof planValues>>, name: string) => unwrapSecrets(container(plan, name).inputs.ports);

describe("a gateway behind its host's entry", () => {
  test("a Dedicated Server's gateway accepts PROXY v2 and publishes its port on 127.0.0.1 only", async () => {
    const plan = await planValues("globex", { ...dedicatedValues(), httpsPort: 20443, behindHostEntry: true });
    expect(config(plan, "lc-globex-gateway")).toMatch(/^ {2}bind \*:8443 accept-proxy ssl crt /m);
    expect(ports(plan, "lc-globex-gateway")).toEqual([{ internal: 8443, external: 20443, ip: "127.0.0.1" }]);
  });

  test("a shared server's entry point (its tenants' gateway) does the same", async () => {
    const plan = await planValues("shared-dc1", { ...sharedValues(), httpsPort: 20444, behindHostEntry: true });
    expect(config(plan, "lc-shared-dc1-entry")).toMatch(/^ {2}bind \*:8443 accept-proxy ssl crt /m);
    expect(ports(plan, "lc-shared-dc1-entry")).toEqual([{ internal: 8443, external: 20444, ip: "127.0.0.1" }]);
  });

  test("without the key the gateway is as before: no accept-proxy, published on every address", async () => {
    const plan = await planValues("globex", { ...dedicatedValues(), httpsPort: 20443 });
    expect(config(plan, "lc-globex-gateway")).not.toContain("accept-proxy");
    expect(ports(plan, "lc-globex-gateway")).toEqual([{ internal: 8443, external: 20443 }]);
  });

  test("a Datacenter tenant may not set it, naming its shared server's stack instead", () => {
    expect(() => parse({ ...datacenterValues(), behindHostEntry: true })).toThrow(
      /lchost:behindHostEntry: true is not allowed for edition 'datacenter': a tenant is served by its shared server's gateway/,
    );
  });

  test("a stack on Kubernetes may not set it", () => {
    expect(() => parse({ ...dedicatedValues(), platform: "kubernetes", behindHostEntry: true })).toThrow(/lchost:behindHostEntry: Docker-only/);
  });
});
