import { dockerStackFiles, everyOrderedPairWalk } from "../../../bench/migrationFixtures";
import { EDITION_IDS, EditionId } from "../../../model/catalog";
import { parseStackFileText } from "../../../model/stackFile";
import type { CustomerConfig } from "../../../model/stackConfig";
import { planMigration } from "../../../migration/migrationPlan";

test("the Docker bench's walk over every ordered pair of editions is planned without a refusal at any step", () => {
  const file = "/x/Pulumi.mbench.yaml";
  let text = dockerStackFiles("mbench", "mbench-shared", { shared: 18471, customer: 18472 }, { sharedFsbForDedicated: true }).customer;
  const walk = everyOrderedPairWalk<EditionId>(EDITION_IDS, "datacenter");
  expect(walk).toHaveLength(13);
  for (const to of walk.slice(1)) {
    const current = parseStackFileText(text, file).config as CustomerConfig;
    const plan = planMigration({
      stackName: "mbench",
      stackFileText: text,
      stackFilePath: file,
      current,
      target: { edition: to, lines: to === "high-availability" ? 3 : undefined },
      usage: [],
      rows: 4000,
      order: "redeploy",
    });
    expect([`${current.edition} -> ${to}`, plan.refusals]).toEqual([`${current.edition} -> ${to}`, []]);
    text = plan.stackFile.text;
  }
});
