/** A notified customer's webhook secret leaves its stack only as a secret output, for the operations stack's StackReference. */
import { StackPlanner } from "../../../planner/planWithReferences";
import { loadStack } from "../../../model/stackFile";

test("a customer with a webhook exports its signing secret as a secret stack output", async () => {
  const plan = await new StackPlanner().plan(loadStack("hooli"));
  expect(plan.outputs.notificationWebhookSecret).toEqual({ $secret: true, value: "planned-secret-value" });
});

test("a customer without a webhook exports no such output", async () => {
  const plan = await new StackPlanner().plan(loadStack("globex"));
  expect(plan.outputs).not.toHaveProperty("notificationWebhookSecret");
});
