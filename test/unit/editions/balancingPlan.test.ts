import * as path from "path";
import { haproxySections } from "../../../haproxy";
import { loadStackFile } from "../../../model/stackFile";
import { planStack } from "../../../planner/mockPlanner";
import { unwrapSecrets } from "../../../planner/planValues";
import { runLchost } from "../../support/cliRun";
import { container, upload } from "../planHelpers";

jest.setTimeout(120_000); // a whole HA stack planned under the mock runtime on a loaded 2-core machine

const FIXTURE = path.join(__dirname, "../../fixtures/stacks/Pulumi.wayne-balanced.yaml");

/** lchost:balancing travels from the stack file through the edition into the balancer's haproxy.cfg. */
describe("an HA stack with lchost:balancing, planned", () => {
  let cfg: string;
  beforeAll(async () => {
    const plan = await planStack(loadStackFile(FIXTURE));
    cfg = String(unwrapSecrets(upload(container(plan, "lc-wayne-gateway"), "/usr/local/etc/haproxy/haproxy.cfg").content));
  });
  const section = (kind: string, name: string) => haproxySections(cfg).find((s) => s.kind === kind && s.name === name)?.lines ?? [];

  it("weighs the lines 1:1:1:3 under round robin, sticky by cookie", () => {
    const be = section("backend", "license_central");
    expect(be).toEqual(expect.arrayContaining(["balance roundrobin", "cookie lc_license_central insert indirect nocache secure httponly"]));
    expect(be.filter((l) => l.startsWith("server ")).map((l) => /weight (\d+)/.exec(l)?.[1])).toEqual(["1", "1", "1", "3"]);
  });

  it("sends /ws/ to lines 1 and 2 only", () => {
    expect(section("frontend", "https")).toContain("use_backend license_central_route1 if license_central_route1");
    expect(
      section("backend", "license_central_route1")
        .filter((l) => l.startsWith("server "))
        .map((l) => l.split(" ")[1]),
    ).toEqual(["line1", "line2"]);
  });

  it("limits each client address to 20 web-service requests per second", () => {
    expect(section("frontend", "https")).toContain(
      'http-request deny deny_status 429 content-type "text/plain; charset=utf-8" string "too many requests" hdr Retry-After 1 if web_service { sc_http_req_rate(1) gt 20 }',
    );
  });

  it("passes lchost plan with no policy violation", async () => {
    const r = await runLchost("plan", "--stack-file", FIXTURE, "--json");
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
    expect(JSON.parse(r.out)).toMatchObject({ stack: "wayne-balanced", edition: "high-availability", violations: [] });
  });
});
