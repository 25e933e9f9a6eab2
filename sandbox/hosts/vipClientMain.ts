/**
 * The client process of vipClient.ts (run with `ip netns exec <client namespace> node vipClientMain.js`): reads
 * its options as JSON on stdin, writes one JSON line per finished request on stdout, ends on its own when the load
 * is over, or after the requests in flight on SIGTERM.
 */
import { RequestOutcome, runVipLoad, VipClientOptions } from "./vipClient";

async function main(): Promise<void> {
  let input = "";
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) input += chunk;
  const o = JSON.parse(input) as VipClientOptions;
  let stopping = false;
  process.on("SIGTERM", () => (stopping = true));
  await runVipLoad(
    o,
    (r: RequestOutcome) => process.stdout.write(`${JSON.stringify(r)}\n`),
    () => stopping,
  );
}

main().catch((e) => {
  console.error(`vip client: ${e?.stack ?? e}`);
  process.exitCode = 1;
});
