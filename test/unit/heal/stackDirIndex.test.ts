import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { StackDirIndex } from "../../../heal/stackDirIndex";

// The heal service reads its stacks folder every tick: each file is parsed again only when it changed.
const wayne = fs.readFileSync(path.join(__dirname, "../../../stacks/Pulumi.wayne.yaml"), "utf8");
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "heal-index-"));
  fs.writeFileSync(path.join(dir, "Pulumi.wayne.yaml"), wayne);
  fs.writeFileSync(path.join(dir, "Pulumi.broken.yaml"), "config: [");
  fs.writeFileSync(path.join(dir, "notes.txt"), "not a stack");
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test("valid stack files only; a file is parsed again only when it changed; a removed one is gone", () => {
  const index = new StackDirIndex(dir);
  const names = () => index.stacks().map((s) => s.stack.stackName);
  expect(names()).toEqual(["wayne"]);
  const first = index.stacks()[0].stack;
  expect(index.stacks()[0].stack).toBe(first); // not parsed again: the same object
  fs.writeFileSync(path.join(dir, "Pulumi.wayne.yaml"), wayne.replace("lchost:lines: 3", "lchost:lines: 4"));
  const [w] = index.stacks();
  expect(w.stack).not.toBe(first);
  expect(w.stack.config.role === "customer" && w.stack.config.lines).toBe(4);
  fs.rmSync(path.join(dir, "Pulumi.wayne.yaml"));
  expect(names()).toEqual([]);
  expect(new StackDirIndex(path.join(dir, "missing")).stacks()).toEqual([]);
});
