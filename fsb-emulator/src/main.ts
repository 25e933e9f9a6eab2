#!/usr/bin/env node
/**
 * fsb-emulator: the Firm Security Box emulator. Configured by environment variables only (see
 * fsb-emulator/README.md and ./env.ts). Exits 2 with a message naming the variable on bad config.
 */
import { buildFsbApp } from "./app";
import { ConfigError, parseFsbConfig } from "./config";
import { createLogger } from "./logger";
import { closeOnSignals } from "../../service-kit/src/shutdown";

async function main(): Promise<void> {
  let config;
  try {
    config = parseFsbConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`fsb-emulator: refusing to start: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const { app } = buildFsbApp(config, { logger, defaultMetrics: true });
  closeOnSignals(() => app.close(), logger);
  await app.listen({ port: config.port, host: config.host });
  logger.info(
    {
      port: config.port,
      host: config.host,
      dataDir: config.dataDir,
      signLatencyMs: config.signLatencyMs,
      queueLimit: config.queueLimit,
      firms: [...config.firmTokens.keys()],
    },
    "fsb-emulator listening",
  );
}

main().catch((err) => {
  process.stderr.write(`fsb-emulator: failed to start: ${err?.stack ?? err}\n`);
  process.exit(1);
});
