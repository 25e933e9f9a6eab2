/**
 * A service's graceful stop, the same in every service: on SIGTERM or SIGINT log it, close what `close`
 * closes (the listeners, letting requests in flight finish), then exit 0, or 1 if closing failed.
 */
export function closeOnSignals(close: () => Promise<unknown>, logger: { info(obj: object, msg: string): void }): void {
  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down");
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}
