import { main } from "../../cli/main";

/** Runs the lchost CLI in-process as a user would, and returns its exit code, stdout and stderr. */
export async function runLchost(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (s) => out.push(s),
    (s) => err.push(s),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}
