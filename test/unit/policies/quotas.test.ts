import { CustomerConfig } from "../../../model/stackConfig";
import { editionCatalog, monthlyQuotas } from "../../../model/catalog";
import { stackTagsOf } from "../../../planner/policyRunner";
import { editionThatFits, expectedVolumeWithinEdition } from "../../../policies/rules/expectedVolumeWithinEdition";
import { licenseCentralQuotasMatchCatalog } from "../../../policies/rules/licenseCentralQuotasMatchCatalog";
import { webServicesMatchEdition } from "../../../policies/rules/webServicesMatchEdition";
import { check, checkAllExamples, container, editUpload, example, setEnv, withResource, withoutResources } from "./examplePlans";

const withTag = (tags: ReadonlyMap<string, string>, key: string, value: string) => new Map([...tags, [key, value]]);

describe("expected-volume-within-edition", () => {
  const policy = expectedVolumeWithinEdition;

  test("every example stack passes", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test("activations beyond High Performance's limit (lchost:expectedVolume) name the High Availability Package with enough lines", async () => {
    const hooli = await example("hooli");
    const cfg = hooli.stack.config as CustomerConfig;
    const stack = { ...hooli.stack, config: { ...cfg, expectedVolume: { ...cfg.expectedVolume, activationsPerMonth: 60000 } } };
    const v = await check(policy, { ...hooli, stack });
    const perLine = editionCatalog().editions["high-availability"].quotas.activationsPerMonth;
    expect(v.map((x) => [x.policy, x.enforcementLevel, x.message])).toEqual([
      [
        "expected-volume-within-edition",
        "mandatory",
        `lchost:expectedVolume.activationsPerMonth: 60000 activations per month exceed the limit of High Performance, 25000; High Availability Package with 3 lines (lchost:lines) would fit (${3 * perLine} activations, 750000 web-service calls per month)`,
      ],
    ]);
  });

  test("without expected-volume stack tags the policy is not applicable (no violation)", async () => {
    const wayne = await example("wayne");
    expect(await check(policy, wayne, { tags: new Map() })).toEqual([]);
  });

  test("a Datacenter tenant expecting web-service calls is told that Dedicated Server would fit", async () => {
    const acme = await example("acme");
    const tags = withTag(stackTagsOf(acme.stack), "lchost:expectedWebServiceCallsPerMonth", "1000");
    expect((await check(policy, acme, { tags })).map((x) => x.message)).toEqual([
      "lchost:expectedVolume.webServiceCallsPerMonth: 1000 web-service calls per month exceed the limit of Datacenter, 0; Dedicated Server would fit (3000 activations, 250000 web-service calls per month)",
    ]);
  });

  test("HA limits are per line: the same volume fails with fewer lines", async () => {
    const wayne = await example("wayne");
    // wayne expects 60000 activations on 3 lines; with one line dropped, 2 lines allow 50000.
    const plan = withoutResources(wayne.plan, container("line-3"));
    expect((await check(policy, { ...wayne, plan })).map((x) => x.message)).toEqual([
      `lchost:expectedVolume.activationsPerMonth: 60000 activations per month exceed the limit of High Availability Package (2 lines), ${monthlyQuotas("high-availability", 2).activationsPerMonth}; High Availability Package with 3 lines (lchost:lines) would fit (75000 activations, 750000 web-service calls per month)`,
    ]);
  });

  test("the smallest fitting edition follows the catalog's order", () => {
    expect(editionThatFits({ activationsPerMonth: 1000 })).toEqual({ edition: "datacenter", lines: 1 });
    expect(editionThatFits({ activationsPerMonth: 2000 })).toEqual({ edition: "dedicated", lines: 1 });
    expect(editionThatFits({ activationsPerMonth: 26000 })).toEqual({ edition: "high-availability", lines: 2 });
    expect(editionThatFits({ activationsPerMonth: 10_000_000 })).toBeUndefined();
  });
});

describe("license-central-quotas-match-catalog", () => {
  const policy = licenseCentralQuotasMatchCatalog;

  test("every example stack passes", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test("an activation quota other than the catalog's is a violation", async () => {
    const globex = await example("globex");
    const plan = withResource(globex.plan, container("line-1"), (i) => setEnv(i, "LC_QUOTA_ACTIVATIONS_PER_MONTH", "999999"));
    expect((await check(policy, { ...globex, plan })).map((x) => x.message)).toEqual([
      "LC_QUOTA_ACTIVATIONS_PER_MONTH=999999 on 'lc-globex-line-1'; the customer's booked Dedicated Server total is 3000",
    ]);
  });

  test("every HA line enforces the whole package's total (lines x per-line quota), since usage is counted across lines", async () => {
    const wayne = await example("wayne"); // 3 lines
    const expected = monthlyQuotas("high-availability", 3);
    expect(expected.activationsPerMonth).toBe(3 * editionCatalog().editions["high-availability"].quotas.activationsPerMonth);
    const planned = wayne.plan.resources.filter(container("line-1"))[0].inputs.envs as string[];
    expect(planned).toContain(`LC_QUOTA_ACTIVATIONS_PER_MONTH=${expected.activationsPerMonth}`);
    const plan = withResource(wayne.plan, container("line-2"), (i) => setEnv(i, "LC_QUOTA_WEB_SERVICE_CALLS_PER_MONTH", "250000"));
    expect((await check(policy, { ...wayne, plan })).map((x) => x.message)).toEqual([
      `LC_QUOTA_WEB_SERVICE_CALLS_PER_MONTH=250000 on 'lc-wayne-line-2'; the customer's booked High Availability Package total for 3 line(s) is ${expected.webServiceCallsPerMonth}`,
    ]);
  });

  test("LC_EDITION differing from the container's edition is a violation", async () => {
    const globex = await example("globex");
    const plan = withResource(globex.plan, container("line-1"), (i) => setEnv(i, "LC_EDITION", "high-performance"));
    expect((await check(policy, { ...globex, plan })).map((x) => x.message)).toEqual([
      "LC_EDITION=high-performance but the container is labelled edition 'dedicated'",
    ]);
  });
});

describe("web-services-match-edition", () => {
  const policy = webServicesMatchEdition;

  test("every example stack passes", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test("a Datacenter License Central with web services on is a violation", async () => {
    const acme = await example("acme");
    const plan = withResource(acme.plan, container("line-1"), (i) => setEnv(i, "LC_WEB_SERVICES", "true"));
    expect((await check(policy, { ...acme, plan })).map((x) => x.message)).toEqual([
      "LC_WEB_SERVICES=true on 'lc-acme-line-1'; edition Datacenter has no web services (allowed: false)",
    ]);
  });

  test("a shared entry point whose haproxy.cfg routes /ws/ is a violation", async () => {
    const shared = await example("shared-dc1");
    const plan = withResource(shared.plan, container("entry"), (i) =>
      editUpload(i, "haproxy.cfg", (cfg) => cfg.replace("  http-request deny deny_status 403 if web_service\n", "")),
    );
    expect((await check(policy, { ...shared, plan })).map((x) => x.message)).toEqual([
      "/usr/local/etc/haproxy/haproxy.cfg of 'lc-shared-dc1-entry' routes /ws/ but shared server 'shared-dc1' has no web services; it must 'http-request deny ... if web_service'",
    ]);
  });
});
