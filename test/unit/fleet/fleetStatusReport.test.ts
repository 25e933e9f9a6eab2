import { CustomerStatus } from "../../../fleet/fleetStatus";
import { fleetStatusJson, renderFleetStatusTable } from "../../../fleet/fleetStatusReport";
import { matchesSelection, parseSelect } from "../../../fleet/select";

const deployed: CustomerStatus = {
  customer: "globex",
  stack: "globex",
  edition: "dedicated",
  hosts: ["h2"],
  state: "deployed",
  images: ["lchost/license-central:dev"],
  lines: 1,
  readyLines: 1,
  usage: { month: "2026-11", activations: 12, activationsQuota: 10000, webServiceCalls: 3, webServiceCallsQuota: null },
  lastDeployment: "2026-11-28T17:01:02.345Z",
};
const notDeployed: CustomerStatus = { customer: "acme", stack: "acme", edition: "datacenter", hosts: [], state: "not deployed" };
const unreachable: CustomerStatus = {
  customer: "wayne",
  stack: "wayne",
  edition: "high-availability",
  hosts: ["h2", "h3", "h4"],
  state: "unreachable",
  detail: "docker inspect lc-wayne-line-1: no answer within 10000 ms",
  lines: 3,
  lastDeployment: "2026-11-27T09:00:00.000Z",
};

describe("the fleet status table", () => {
  const text = renderFleetStatusTable([notDeployed, deployed, unreachable]);
  const lines = text.split("\n");

  it("has one row per customer with edition, host, image, ready lines, usage against quota and last deployment", () => {
    expect(lines[0]).toMatch(/^customer +edition +host +image +ready +month +activations +ws calls +last deployment +state$/);
    expect(lines[3]).toMatch(
      /^globex +dedicated +h2 +lchost\/license-central:dev +1\/1 +2026-11 +12 \/ 10000 +3 \/ unlimited +2026-11-28T17:01:02Z +deployed$/,
    );
  });

  it("says 'not deployed' for a stack without a deployment, with dashes for what it cannot know", () => {
    expect(lines[2]).toMatch(/^acme +datacenter +- +- +- +- +- +- +- +not deployed$/);
  });

  it("says why a customer is unreachable, without a ready count it could not read", () => {
    expect(lines[4]).toMatch(/^wayne +high-availability +h2,h3,h4 +- +- .* unreachable: docker inspect lc-wayne-line-1: no answer within 10000 ms$/);
  });

  it("ends with the counts", () => {
    expect(lines[lines.length - 1]).toBe("3 customer(s): 1 deployed, 1 not deployed, 1 unreachable");
  });

  it("as JSON: the rows as they are", () => {
    expect(JSON.parse(fleetStatusJson([deployed, notDeployed]))).toEqual({ customers: [deployed, notDeployed] });
  });
});

describe("--select", () => {
  it("parses key=value[,value] and matches every term", () => {
    const terms = [parseSelect("edition=dedicated,datacenter"), parseSelect("host=h2")];
    expect(matchesSelection({ customer: "globex", edition: "dedicated", hosts: ["h2"] }, terms)).toBe(true);
    expect(matchesSelection({ customer: "acme", edition: "datacenter", hosts: ["h1"] }, terms)).toBe(false);
    expect(matchesSelection({ customer: "wayne", edition: "high-availability", hosts: ["h2"] }, terms)).toBe(false);
  });

  it.each([
    ["edition", "--select: 'edition' is not key=value[,value] (keys: edition, customer, host)"],
    ["site=dc1", "--select: unknown key 'site' in 'site=dc1' (allowed: edition, customer, host)"],
    ["customer=acme,", "--select: 'customer=acme,' has an empty value (give key=value[,value])"],
  ])("refuses %s naming --select", (arg, message) => {
    expect(() => parseSelect(arg)).toThrow(message);
  });
});
