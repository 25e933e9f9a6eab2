import { changeStackFileEdition, PARKED_KEY } from "../../../migration/stackFileChange";
import * as YAML from "yaml";

const DATACENTER = `# Datacenter: a tenant on shared-dc1.
config:
  lchost:customer: acme   # the customer's DNS label
  lchost:edition: datacenter
  lchost:sharedServer: shared-dc1
  ${PARKED_KEY}:
    connection:
      ipAllowList:
        - 198.51.100.0/24
    fsb@shared:
      mode: shared
      sharedUrl: http://fsb.dc1.lchost.local:7070
      tokenKey: fsbToken
    secret:fsbToken:
      secure: v1:cXV4YmF6YmFyZm9v:ZXhhbXBsZS1jaXBoZXJ0ZXh0LW5vdC1hLXJlYWwtdG9rZW4=
`;
const FILE = "/x/Pulumi.acme.yaml";
const step = (text: string, edition: any, lines?: number) => changeStackFileEdition(text, FILE, { edition, lines });

describe("stack file change of an edition move", () => {
  test("Datacenter -> Dedicated sets the edition, parks the shared server, brings back the parked connection and shared FSB, and keeps comments", () => {
    const r = step(DATACENTER, "dedicated");
    expect(r.problems).toEqual([]);
    expect(r.text).toContain("# Datacenter: a tenant on shared-dc1.");
    expect(r.text).toContain("# the customer's DNS label");
    const cfg = YAML.parse(r.text).config;
    expect(cfg["lchost:edition"]).toBe("dedicated");
    expect(cfg["lchost:sharedServer"]).toBeUndefined();
    expect(cfg["lchost:connection"]).toEqual({ ipAllowList: ["198.51.100.0/24"] });
    expect(cfg["lchost:fsb"]).toMatchObject({ mode: "shared" });
    expect(cfg[PARKED_KEY]).toEqual({ sharedServer: "shared-dc1" });
    // the secret named by the restored FSB settings comes back with them, still a secret
    expect(cfg["lchost:fsbToken"]).toEqual({ secure: expect.stringMatching(/^v1:/) });
    expect(r.stack!.secretKeys).toContain("lchost:fsbToken");
    expect(r.stack!.config).toMatchObject({ edition: "dedicated" });
  });

  test("the whole chain Datacenter -> Dedicated -> High Performance -> HA (3) -> High Performance -> Datacenter ends where it started", () => {
    let text = DATACENTER;
    for (const [edition, lines] of [["dedicated"], ["high-performance"], ["high-availability", 3], ["high-performance"], ["datacenter"]] as const) {
      const r = step(text, edition, lines as number | undefined);
      expect(r.problems).toEqual([]);
      expect(r.stack!.config).toMatchObject({ edition, lines: lines ?? 1 });
      text = r.text;
    }
    const cfg = YAML.parse(text).config;
    expect(cfg["lchost:sharedServer"]).toBe("shared-dc1");
    expect(cfg["lchost:connection"]).toBeUndefined();
    expect(cfg["lchost:fsb"]).toBeUndefined();
    expect(Object.keys(cfg[PARKED_KEY]).sort()).toEqual(["connection", "fsb@shared", "secret:fsbToken"]);
    expect(cfg["lchost:fsbToken"]).toBeUndefined();
  });

  test("High Performance -> High Availability sets lchost:lines, and back removes it", () => {
    const hp = step(step(DATACENTER, "dedicated").text, "high-performance");
    const ha = step(hp.text, "high-availability", 4);
    expect(ha.edits).toContainEqual({ key: "lchost:lines", from: undefined, to: 4, action: "set" });
    const back = step(ha.text, "high-performance");
    expect(back.edits).toContainEqual({ key: "lchost:lines", from: 4, to: undefined, action: "removed" });
  });

  test("moving up from Datacenter without a parked connection is refused naming lchost:connection", () => {
    const bare = DATACENTER.replace(/ {2}lchost-migration:parked:[\s\S]*$/, "");
    const r = step(bare, "high-performance");
    expect(r.problems.join("\n")).toMatch(/lchost:connection: edition 'high-performance' publishes web services/);
    expect(r.stack).toBeUndefined();
  });
});
