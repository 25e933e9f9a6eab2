import * as fs from "fs";
import * as path from "path";
import { slaCreditTableMarkdown } from "../../../sla/format";

/* docs/sla.md shows the catalog's credit tables: a number written twice must not drift. */
test("docs/sla.md's credit table is the catalog's", () => {
  const doc = fs.readFileSync(path.join(__dirname, "../../../docs/sla.md"), "utf8");
  const m = /<!-- sla-credits:start[^>]*-->\n([\s\S]*?)\n<!-- sla-credits:end -->/.exec(doc);
  expect(m).not.toBeNull();
  expect(m![1]).toBe(slaCreditTableMarkdown());
});
