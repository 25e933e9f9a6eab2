#!/usr/bin/env node
/** Docker HEALTHCHECK: exit 0 when GET http://127.0.0.1:$PORTAL_PORT/healthz answers 200 within 2 s. */
import * as http from "http";
import { PORTAL_DEFAULTS, PORTAL_ENV, PORTAL_HEALTH_PATH } from "./env";

const port = Number(process.env[PORTAL_ENV.port] || PORTAL_DEFAULTS.port);
const req = http.get({ host: "127.0.0.1", port, path: PORTAL_HEALTH_PATH, timeout: 2000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on("timeout", () => req.destroy(new Error("timeout")));
req.on("error", () => process.exit(1));
