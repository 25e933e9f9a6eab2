import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import pino from "pino";
import { buildFsbApp } from "../../../fsb-emulator/src/app";
import { parseFsbConfig } from "../../../fsb-emulator/src/config";

/** The queue saturation the FSB alert divides: depth over capacity, both gauges, plus the signatures counter. */
describe("FSB emulator /metrics", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fsb-metrics-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const build = (env: Record<string, string> = {}) =>
    buildFsbApp(parseFsbConfig({ FSB_DATA_DIR: dir, FSB_FIRM_TOKENS: "ACME=acme-token-0123456789", ...env }), { logger: pino({ level: "silent" }) });

  test("exposes fsb_queue_capacity as the configured queue limit and fsb_queue_depth from the start", async () => {
    const fsb = build({ FSB_QUEUE_LIMIT: "37" });
    try {
      const res = await fsb.app.inject({ method: "GET", url: "/metrics" });
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatch(/^fsb_queue_capacity 37$/m);
      expect(res.body).toMatch(/^fsb_queue_depth 0$/m);
      expect(res.body).toMatch(/^# TYPE fsb_signatures_total counter$/m);
    } finally {
      await fsb.app.close();
    }
  });

  test("fsb_queue_capacity follows the default queue limit when none is set", async () => {
    const fsb = build();
    try {
      const res = await fsb.app.inject({ method: "GET", url: "/metrics" });
      expect(res.body).toMatch(/^fsb_queue_capacity 1000$/m);
    } finally {
      await fsb.app.close();
    }
  });
});
