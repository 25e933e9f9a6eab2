/**
 * Issue 15.9 (HAProxy part): ticket codes never reach HAProxy's log — the path is logged masked and
 * normalized, the query string never. Real HAProxy, its log written to a file.
 */
import * as fs from "fs";
import { rawHttpsRequest, StandaloneGateway, startStandaloneGateway } from "../../sandbox/standaloneGateway";
import { haLimits, sleep, tmpDir } from "./support";

jest.setTimeout(120_000);

describe("HAProxy's log holds no ticket code (real HAProxy)", () => {
  let gw: StandaloneGateway;
  const TICKET = "QWERT-ZXCVB-MNBVC-LKJHG-PQRST";
  const SECOND = "ABCDE-FGHJK-LMNPQ-RSTUV-WXYZ2";
  beforeAll(async () => {
    gw = await startStandaloneGateway({ dir: tmpDir("logs"), limits: haLimits(), clientCertificate: true });
  });
  afterAll(async () => gw?.stop());

  it("logs every request with the ticket segment masked and without the query string", async () => {
    const requests = [
      `POST /depot/v1/tickets/${TICKET}/activations HTTP/1.1`,
      `DELETE /depot/v1/tickets/${TICKET}/activations/container-1 HTTP/1.1`,
      `GET /ws/v1/tickets/${TICKET} HTTP/1.1`,
      `GET /depot/v1/tickets/${TICKET.toLowerCase()}/activations HTTP/1.1`,
      `GET /depot/./v1//tickets/${TICKET}/activations HTTP/1.1`,
      `GET /depot/v1/tickets%2F${TICKET}/activations HTTP/1.1`,
      `GET /depot/v1/lookup/${TICKET} HTTP/1.1`,
      `GET /depot/v1/usage?ticket=${SECOND} HTTP/1.1`,
    ];
    const answers = [];
    for (const head of requests) answers.push((await rawHttpsRequest(gw, head, { clientCert: "good" })).status);
    expect(answers.every((s) => typeof s === "number")).toBe(true);
    let log = "";
    for (let i = 0; i < 50 && log.split("\n").filter((l) => / HTTP\/1\.1$/.test(l)).length < requests.length; i++) {
      await sleep(100);
      log = fs.readFileSync(gw.logPath, "utf8");
    }
    const lines = log.split("\n").filter((l) => / HTTP\/1\.1$/.test(l));
    expect(lines).toHaveLength(requests.length);
    // The requests did reach the log: method and the masked path are there.
    expect(lines[0]).toContain("POST /depot/v1/tickets/QWER.../activations HTTP/1.1");
    for (const code of [TICKET, SECOND]) {
      expect(log).not.toContain(code);
      expect(log.toLowerCase()).not.toContain(code.toLowerCase());
      // not even its groups after the first four characters
      expect(log).not.toMatch(new RegExp(code.slice(5).replace(/-/g, "-?")));
    }
    expect(log).not.toContain("ticket=");
  });
});
