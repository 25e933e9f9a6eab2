import { container, planValues } from "../planHelpers";
import { dedicatedValues, haValues } from "../stackFixtures";

jest.setTimeout(120_000); // whole stacks planned under the mock runtime on a loaded 2-core machine

/**
 * The HTTPS entry opens after the lines behind it are healthy. Created beside them, HAProxy's first checks
 * found nothing listening and the entry answered 503 for up to rise × inter after `up` had finished
 * (seen in docker:plan-smoke, 2 of 5 fresh High Performance stacks).
 */
describe("the gateway is created after its lines", () => {
  test.each([
    ["globex (Dedicated Server, one line)", "globex", dedicatedValues, 1],
    ["wayne (High Availability, every line)", "wayne", haValues, 3],
  ])("%s", async (_what, stack, values, lineCount) => {
    const plan = await planValues(stack, values());
    const gateway = plan.resources.find((r) => r.type === "lchost:components:HttpsEntryPoint")!;
    const lineContainers = Array.from({ length: lineCount }, (_, i) => container(plan, `lc-${stack}-line-${i + 1}`).urn);
    // the Node SDK turns a dependency on a component into one on its containers: each waits until healthy
    expect([...gateway.dependsOn].sort()).toEqual(lineContainers.sort());
    // the gateway's container is the component's child, so a real `pulumi up` (Node SDK) registers it after them
    const gatewayContainer = container(plan, `lc-${stack}-gateway`);
    expect(gatewayContainer.parent).toBe(gateway.urn);
  });
});
