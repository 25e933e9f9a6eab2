/** ha-balancer-pair: an HA stack on hosts has its balancer pair (lchost:balancer.virtualIp), read from stack tags. */
import { stackTagsOf } from "../../../planner/policyRunner";
import { haBalancerPair } from "../../../policies/rules/haBalancerPair";
import { haValues, stackFile } from "../stackFixtures";
import { check, checkAllExamples, example } from "./examplePlans";

const inline = (name: string, address: string) => ({ name, dockerHost: `ssh://deploy@${address}`, address });
const hosts = [inline("h1", "10.20.0.11"), inline("h2", "10.20.0.12"), inline("h3", "10.20.0.13")];

describe("ha-balancer-pair", () => {
  const policy = haBalancerPair;

  test("every example stack passes (none runs on hosts yet)", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test("the stack tags carry lchost:hosts and the VIP from the stack file", () => {
    const tags = stackTagsOf(stackFile("wayne", { ...haValues(), hosts, balancer: { virtualIp: "10.20.0.100" } }));
    expect(tags.get("lchost:hosts")).toBe("h1,h2,h3");
    expect(tags.get("lchost:virtualIp")).toBe("10.20.0.100");
    const named = stackTagsOf(stackFile("wayne", { ...haValues(), hosts: ["h1", "h2", "h3"] }));
    expect(named.get("lchost:hosts")).toBe("h1,h2,h3");
    expect(named.has("lchost:virtualIp")).toBe(false);
  });

  test("compliant: the HA example on three hosts with its VIP", async () => {
    const wayne = await example("wayne");
    const tags = new Map([...stackTagsOf(wayne.stack), ["lchost:hosts", "h1,h2,h3"], ["lchost:virtualIp", "10.20.0.100"]]);
    expect(await check(policy, wayne, { tags })).toEqual([]);
  });

  test("violation: the HA example on three hosts without a VIP, naming the key", async () => {
    const wayne = await example("wayne");
    const tags = new Map([...stackTagsOf(wayne.stack), ["lchost:hosts", "h1,h2,h3"]]);
    expect((await check(policy, wayne, { tags })).map((v) => [v.policy, v.message])).toEqual([
      [
        "ha-balancer-pair",
        "lchost:balancer.virtualIp: High Availability Package on 3 hosts (lchost:hosts: h1, h2, h3) runs without its balancer pair; set lchost:balancer.virtualIp, the customer's virtual IP that keepalived moves between h1 and h2",
      ],
    ]);
  });

  test("not applicable on one host or to editions without a cluster", async () => {
    const wayne = await example("wayne");
    expect(await check(policy, wayne, { tags: new Map([...stackTagsOf(wayne.stack), ["lchost:hosts", "h1"]]) })).toEqual([]);
    const globex = await example("globex");
    expect(await check(policy, globex, { tags: new Map([...stackTagsOf(globex.stack), ["lchost:hosts", "h1,h2"]]) })).toEqual([]);
  });
});
