#!/usr/bin/env node
/**
 * status-portal: the customers' status pages, the public status page, incidents from Alertmanager and the
 * hosting team's admin API. Configured by environment variables and three files (see status-portal/README.md
 * and ./env.ts). Exits 2 with a message naming the variable or the customers file's field on bad config.
 */
import { buildPortalApp } from "./app";
import { ConfigError, parsePortalConfig, readTokenFile } from "./config";
import { CustomersSource } from "./customersSource";
import { migratePortal, PortalDatabase } from "./db";
import { CustomersFileError, PORTAL_ENV } from "./env";
import { createLogger } from "./logger";
import { publishedAvailability } from "./monthAvailability";
import { PortalStore } from "./store";
import { closeOnSignals } from "../../service-kit/src/shutdown";

async function main(): Promise<void> {
  let config;
  let alertmanagerToken: string;
  let adminToken: string;
  try {
    config = parsePortalConfig(process.env);
    alertmanagerToken = readTokenFile(config.alertmanagerTokenFile, PORTAL_ENV.alertmanagerTokenFile);
    adminToken = readTokenFile(config.adminTokenFile, PORTAL_ENV.adminTokenFile);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`status-portal: refusing to start: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const db = new PortalDatabase(config.db);
  // the database may still be starting (containers start together): retry the schema for up to 60 s
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const version = await migratePortal(db);
      logger.info({ schemaVersion: version }, "database schema ready");
      break;
    } catch (err: any) {
      if (Date.now() > deadline) throw err;
      logger.warn({ code: err?.code, message: err?.message }, "database not ready yet; retrying");
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  const store = new PortalStore(db);
  const customers = new CustomersSource(config.customersFile, store, logger);
  try {
    await customers.load();
  } catch (err) {
    if (err instanceof CustomersFileError) {
      process.stderr.write(`status-portal: refusing to start: ${PORTAL_ENV.customersFile}=${config.customersFile}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  customers.watch();
  // the figures `lchost sla report` published through the admin API (monthAvailability.ts)
  const { app } = buildPortalApp(config, {
    logger,
    store,
    alertmanagerToken,
    adminToken,
    monthAvailability: publishedAvailability(store),
    defaultMetrics: true,
  });
  closeOnSignals(async () => {
    customers.stop();
    await app.close();
    await db.close();
  }, logger);
  await app.listen({ port: config.port, host: config.host });
  logger.info({ port: config.port, host: config.host, db: { host: config.db.host, database: config.db.database } }, "status-portal listening");
}

main().catch((err) => {
  process.stderr.write(`status-portal: failed to start: ${err?.message ?? err}\n`);
  process.exit(1);
});
