import { watchedNetworks } from "../../../editions/OperationsStack";
import type { Fleet, MonitoredCustomer } from "../../../model/fleet";

const customer = (name: string, sharedServer?: string) => ({ customer: name, stack: name, sharedServer }) as unknown as MonitoredCustomer;

test("Prometheus and the blackbox exporter reach a customer through its own network, a tenant through its shared server's tenant and backend networks", () => {
  const fleet: Fleet = { customers: [customer("wayne"), customer("acme", "shared-dc1"), customer("initech", "shared-dc1"), customer("hooli")] };
  expect(watchedNetworks(fleet)).toEqual(["lc-hooli", "lc-shared-dc1-backend", "lc-shared-dc1-tenant-acme", "lc-shared-dc1-tenant-initech", "lc-wayne"]);
});

test("an empty fleet needs no network but the operations stack's own", () => {
  expect(watchedNetworks({ customers: [] })).toEqual([]);
});
