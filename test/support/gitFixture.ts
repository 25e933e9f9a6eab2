/** A throw-away git repository holding copies of the example stacks, for diff and check tests. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { stacksDir } from "../../model/stackFile";

export interface GitFixture {
  root: string;
  stacks: string;
  git(...args: string[]): string;
  commit(message: string): void;
  /** Edits a stack file's `config:` map. */
  editStack(name: string, edit: (config: Record<string, unknown>) => void): void;
  write(rel: string, text: string): void;
  remove(): void;
}

export function gitFixture(): GitFixture {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-git-"));
  const stacks = path.join(root, "stacks");
  fs.mkdirSync(stacks);
  for (const f of fs.readdirSync(stacksDir())) fs.copyFileSync(path.join(stacksDir(), f), path.join(stacks, f));
  fs.writeFileSync(path.join(root, "README.md"), "fixture\n");
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=lchost-test", "-c", "user.email=test@lchost.local", "-c", "commit.gpgsign=false", ...args], {
      cwd: root,
      encoding: "utf8",
    });
  git("init", "-q", "-b", "main");
  const fx: GitFixture = {
    root,
    stacks,
    git,
    commit: (message) => {
      git("add", "-A");
      git("commit", "-q", "-m", message);
    },
    editStack: (name, edit) => {
      const file = path.join(stacks, `Pulumi.${name}.yaml`);
      const doc = YAML.parse(fs.readFileSync(file, "utf8"));
      edit(doc.config);
      fs.writeFileSync(file, YAML.stringify(doc));
    },
    write: (rel, text) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    },
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
  fx.commit("example stacks");
  return fx;
}

/** Runs the CLI in-process; returns the exit code and everything it printed. */
export async function runCli(argv: string[]): Promise<{ code: number; out: string }> {
  const { main } = await import("../../cli/main");
  const lines: string[] = [];
  const code = await main(
    argv,
    (s) => lines.push(s),
    (s) => lines.push(s),
  );
  return { code, out: lines.join("\n") };
}
