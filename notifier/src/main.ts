#!/usr/bin/env node
/**
 * notifier: Alertmanager webhook in, signed customer webhook and email out (de/en). Configured by
 * environment variables and two files (see notifier/README.md and ./env.ts). Exits 2 with a message
 * naming the variable or the recipients file's field on bad config.
 */
import * as fs from "fs";
import { buildNotifierApp } from "./app";
import { ConfigError, parseNotifierConfig, readTokenFile } from "./config";
import { NOTIFIER_ENV, RecipientsError } from "./env";
import { createLogger } from "./logger";
import { closeOnSignals } from "../../service-kit/src/shutdown";
import { RecipientsSource } from "./recipientsSource";

async function main(): Promise<void> {
  let config;
  let token: string;
  let ca: string | undefined;
  try {
    config = parseNotifierConfig(process.env);
    token = readTokenFile(config.tokenFile);
    if (config.caFile) {
      try {
        ca = fs.readFileSync(config.caFile, "utf8");
      } catch (err) {
        throw new ConfigError(NOTIFIER_ENV.caFile, config.caFile, `cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
      }
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`notifier: refusing to start: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let recipients: RecipientsSource;
  try {
    recipients = new RecipientsSource(config.recipientsFile, logger);
  } catch (err) {
    if (err instanceof RecipientsError) {
      process.stderr.write(`notifier: refusing to start: ${NOTIFIER_ENV.recipientsFile}=${config.recipientsFile}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const { app } = buildNotifierApp(config, { logger, recipients, token, ca, defaultMetrics: true });
  closeOnSignals(() => app.close(), logger);
  await app.listen({ port: config.port, host: config.host });
  const r = recipients.get();
  logger.info({ port: config.port, host: config.host, customers: Object.keys(r.customers), smarthost: `${r.smtp.host}:${r.smtp.port}` }, "notifier listening");
}

main().catch((err) => {
  process.stderr.write(`notifier: failed to start: ${err?.stack ?? err}\n`);
  process.exit(1);
});
