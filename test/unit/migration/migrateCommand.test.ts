import { UsageError } from "../../../cli/errors";
import { migrateCommand } from "../../../cli/commands/migrate";
import type { DeploymentTarget } from "../../../migration/deploymentTarget";

function run(argv: string[], io: Partial<Parameters<typeof migrateCommand>[2]> = {}) {
  const lines: string[] = [];
  const target = async () => ({ current: async () => ({ database: {} }) }) as unknown as DeploymentTarget;
  const p = migrateCommand(argv, (s) => lines.push(s), { isTty: false, confirm: async () => false, target, ...io } as any);
  return { p, lines };
}

describe("lchost migrate (CLI)", () => {
  test("--plan shows the plan of Dedicated -> High Performance without touching anything, exit 0", async () => {
    const { p, lines } = run(["globex", "--to", "high-performance", "--plan"], {
      target: async () => {
        throw new Error("must not be called");
      },
    });
    expect(await p).toBe(0);
    const text = lines.join("\n");
    expect(text).toMatch(/Dedicated Server -> High Performance \[edition-change, up\]/);
    expect(text).toMatch(/parked +lchost:fsb/);
    expect(text).toMatch(/plan only: usage not read/);
  });

  test("a plan whose stack file change is invalid is refused naming the key, exit 1", async () => {
    const { p, lines } = run(["acme", "--to", "dedicated", "--plan"]);
    expect(await p).toBe(1);
    expect(lines.join("\n")).toMatch(/stack file after the change: lchost:connection: edition 'dedicated' publishes web services/);
  });

  test("without a terminal and without --yes nothing runs", async () => {
    const { p } = run(["wayne", "--to", "high-availability", "--lines", "4"]);
    await expect(p).rejects.toThrow(new UsageError("not a terminal: pass --yes to run the migration from a pipeline"));
  });

  test("--lines is only for High Availability, and --to must name an edition", async () => {
    await expect(run(["globex", "--to", "dedicated", "--lines", "3"]).p).rejects.toThrow("--lines: only with --to high-availability (got --to dedicated)");
    await expect(run(["globex", "--to", "gold"]).p).rejects.toThrow(
      /--to: 'gold' is not an edition \(allowed: datacenter, dedicated, high-performance, high-availability\)/,
    );
  });

  test("the Pulumi target says to install the Pulumi CLI instead of half-running", async () => {
    const { p } = run(["globex", "--to", "high-performance", "--yes"], { target: undefined });
    await expect(p).rejects.toThrow(/the Pulumi CLI was not found on PATH; 'lchost migrate --target pulumi' deploys the changed stack file with 'pulumi up'/);
  });

  test("--target names the targets there are", async () => {
    const { p } = run(["globex", "--to", "high-performance", "--yes", "--target", "k8s"], { target: undefined });
    await expect(p).rejects.toThrow(new UsageError("--target: 'k8s' is not a deployment target (allowed: pulumi (default), docker, sandbox)"));
  });
});

test("--plan estimates the window of the order each target runs: docker-run's staged generation, pulumi up's update inside it", async () => {
  const docker = run(["globex", "--to", "high-availability", "--plan", "--target", "docker"]);
  const pulumi = run(["globex", "--to", "high-availability", "--plan", "--target", "pulumi"]);
  expect(await docker.p).toBe(0);
  expect(await pulumi.p).toBe(0);
  const window = (lines: string[]) => Number(/maintenance window ~([\d.]+) s/.exec(lines.join("\n"))![1]);
  expect(docker.lines.join("\n")).toMatch(/set +lchost:generation: \(absent\) -> 1/);
  expect(docker.lines.join("\n")).toMatch(/switch the entry point to the new lines \(HAProxy reload in place\)/);
  expect(pulumi.lines.join("\n")).toMatch(/deploy the changed stack inside the window/);
  expect(pulumi.lines.join("\n")).not.toMatch(/lchost:generation/);
  expect(window(docker.lines)).toBeLessThan(window(pulumi.lines));
});
