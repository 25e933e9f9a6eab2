#!/usr/bin/env node
/**
 * license-central: the reference License Central (depot, web services, admin API). Configured by
 * environment variables only (see license-central/README.md and ./env.ts). Exits 2 with a message
 * naming the variable on bad configuration.
 */
import { buildLcApps } from "./app";
import { ConfigError, parseLcConfig } from "./config";
import { createLogger } from "./logger";
import { closeOnSignals } from "../../service-kit/src/shutdown";

async function main(): Promise<void> {
  let config;
  try {
    config = parseLcConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`license-central: refusing to start: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const lc = buildLcApps(config, { logger, defaultMetrics: true });
  // the database may still be starting (containers start together): retry the migration for up to 60 s
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const version = await lc.migrate();
      logger.info({ schemaVersion: version }, "database schema ready");
      break;
    } catch (err: any) {
      if (Date.now() > deadline) throw err;
      logger.warn({ code: err?.code, message: err?.message }, "database not ready yet; retrying");
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  closeOnSignals(() => lc.close(), logger);
  await lc.publicApp.listen({ port: config.port, host: config.host });
  await lc.adminApp.listen({ port: config.adminPort, host: config.host });
  logger.info(
    {
      port: config.port,
      adminPort: config.adminPort,
      edition: config.edition,
      webServices: config.webServices,
      quotaMode: config.quotaMode,
      quotaActivationsPerMonth: config.quotaActivationsPerMonth,
      quotaWebServiceCallsPerMonth: config.quotaWebServiceCallsPerMonth,
      db: { host: config.db.host, port: config.db.port, database: config.db.database, user: config.db.user },
      fsb: { url: config.fsb.url, firmCode: config.fsb.firmCode },
    },
    "license-central listening",
  );
}

main().catch((err) => {
  process.stderr.write(`license-central: failed to start: ${err?.message ?? err}\n`);
  process.exit(1);
});
