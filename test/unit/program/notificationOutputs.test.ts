/** A notified customer's webhook secret leaves its stack only as a secret output, for the operations stack's StackReference. */
import { StackPlanner } from "../../../planner/planWithReferences";
import { loadStack } from "../../../model/stackFile";
import { checkedWebhookSecret } from "../../../program/deployStack";
import { runTsChild } from "../support/tsChild";

test("a customer with a webhook exports its signing secret as a secret stack output", async () => {
  const plan = await new StackPlanner().plan(loadStack("hooli"));
  expect(plan.outputs.notificationWebhookSecret).toEqual({ $secret: true, value: "planned-secret-value" });
});

test("a customer without a webhook exports no such output", async () => {
  const plan = await new StackPlanner().plan(loadStack("globex"));
  expect(plan.outputs).not.toHaveProperty("notificationWebhookSecret");
});

test("a webhook signing secret shorter than the notifier accepts is refused naming the key, never showing the value", () => {
  expect(checkedWebhookSecret("notifyWebhookSecret", "0123456789abcdef")).toBe("0123456789abcdef");
  expect(() => checkedWebhookSecret("notifyWebhookSecret", "short-secret")).toThrow(
    /^lchost:notifyWebhookSecret: the webhook signing secret \(lchost:notifications\.webhook\.secretKey\) must be at least 16 characters, it has 12$/,
  );
});

test("the planned customer stack fails on a short webhook secret (the check runs on the real value)", () => {
  const r = runTsChild(`
const rejections: string[] = [];
process.on("unhandledRejection", (e: any) => rejections.push(String(e?.message ?? e)));
const { planStack } = require("./planner/mockPlanner");
const { loadStack } = require("./model/stackFile");
planStack(loadStack("hooli"), {}, { configSecrets: { notifyWebhookSecret: "short" } })
  .catch((e: any) => rejections.push(String(e?.message ?? e)))
  .finally(() => setTimeout(() => console.log("RESULT " + JSON.stringify(rejections)), 200));
`);
  const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  const rejections = JSON.parse(line.slice(7)) as string[];
  expect(rejections.some((m) => m.includes("lchost:notifyWebhookSecret: the webhook signing secret"))).toBe(true);
  expect(rejections.join("\n")).not.toContain("short");
}, 120_000);
