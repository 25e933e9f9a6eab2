import { StackConfigError } from "../../model/stackConfig";
import { datacenterValues, dedicatedValues, haValues, parse, sharedValues } from "./stackFixtures";

function problemsOf(values: Record<string, unknown>): string[] {
  try {
    parse(values);
  } catch (e) {
    if (e instanceof StackConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected the configuration to be rejected");
}

describe("stack configuration", () => {
  it("accepts a compliant High Availability config and fills defaults", () => {
    const cfg = parse(haValues());
    expect(cfg).toMatchObject({ role: "customer", edition: "high-availability", lines: 3, platform: "docker", quotaMode: "soft", httpsPort: 443 });
  });

  it("defaults HA lines to the catalog's minimum of 2", () => {
    const v = haValues();
    delete v.lines;
    expect(parse(v)).toMatchObject({ lines: 2 });
  });

  it("defaults Dedicated Server to the shared FSB", () => {
    const v = dedicatedValues();
    (v.fsb as any).mode = undefined;
    expect(parse(JSON.parse(JSON.stringify(v)))).toMatchObject({ fsb: { mode: "shared" } });
  });

  it("accepts the shared-server role without customer or edition", () => {
    expect(parse(sharedValues())).toMatchObject({ role: "shared-server", tenants: ["acme", "initech"] });
  });

  const cases: Array<[string, (v: Record<string, unknown>) => Record<string, unknown>, RegExp]> = [
    [
      "an unknown edition",
      (v) => ({ ...v, edition: "gold" }),
      /lchost:edition: 'gold' is not allowed; allowed: datacenter, dedicated, high-performance, high-availability/,
    ],
    ["a customer that is not a DNS label", (v) => ({ ...v, customer: "Wayne_Corp" }), /lchost:customer: 'Wayne_Corp' is not a DNS label \(lower-case letters/],
    [
      "a missing customer",
      (v) => {
        const { customer, ...rest } = v;
        return rest;
      },
      /lchost:customer: required but missing/,
    ],
    [
      "a missing edition",
      (v) => {
        const { edition, ...rest } = v;
        return rest;
      },
      /lchost:edition: required but missing/,
    ],
    ["an unknown key", (v) => ({ ...v, edtion: "dedicated" }), /lchost:edtion: unknown key; allowed here: role, customer, edition/],
    ["one HA line", (v) => ({ ...v, lines: 1 }), /lchost:lines: 1 must be >= 2/],
    ["lines that are not a whole number", (v) => ({ ...v, lines: 2.5 }), /lchost:lines: 2.5 must be a whole number/],
    [
      "a Docker-only key on Kubernetes",
      (v) => ({ ...v, platform: "kubernetes", generation: 2 }),
      /lchost:generation: Docker-only \(set by lchost migrate --target docker\); not allowed with lchost:platform 'kubernetes'/,
    ],
    ["a platform that does not exist", (v) => ({ ...v, platform: "nomad" }), /lchost:platform: 'nomad' is not allowed; allowed: docker, kubernetes/],
    [
      "an invalid CIDR",
      (v) => ({ ...v, connection: { ipAllowList: ["300.1.2.0/24"] } }),
      /^lchost:connection.ipAllowList\[0\]: '300.1.2.0\/24' is not a valid CIDR \(address\/prefix, e.g. 203.0.113.0\/24\)$/m,
    ],
    [
      "a CIDR without prefix",
      (v) => ({ ...v, connection: { ipAllowList: ["192.0.2.1"] } }),
      /^lchost:connection.ipAllowList\[0\]: '192.0.2.1' is not a valid CIDR \(address\/prefix, e.g. 203.0.113.0\/24\)$/m,
    ],
    [
      "no connection security for web services",
      (v) => {
        const { connection, wsPassword, ...rest } = v;
        return rest;
      },
      /lchost:connection: edition 'high-availability' publishes web services; configure at least one of clientCertificate, ipAllowList, basicAuth/,
    ],
    [
      "a basic-auth password key that names nothing",
      (v) => {
        const { wsPassword, ...rest } = v;
        return rest;
      },
      /lchost:connection.basicAuth.passwordKey: 'wsPassword' names no secret key/,
    ],
    [
      "a basic-auth password in plain text",
      (v) => ({ ...v, wsPassword: "hunter2" }),
      /lchost:wsPassword: named by lchost:connection.basicAuth.passwordKey, so it must be a secret/,
    ],
    [
      "basic auth without a username",
      (v) => ({ ...v, connection: { basicAuth: { passwordKey: "wsPassword" } } }),
      /lchost:connection.basicAuth.username: required but missing/,
    ],
    [
      "a client certificate CA that is not PEM",
      (v) => ({ ...v, connection: { clientCertificate: { caCertificate: "abc" } } }),
      /lchost:connection.clientCertificate.caCertificate: 'abc' does not match -----BEGIN CERTIFICATE-----/,
    ],
    [
      "a client-certificate CRL that is not PEM",
      (v) => ({ ...v, connection: { clientCertificate: { caCertificate: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----", crl: "not a crl" } } }),
      /lchost:connection.clientCertificate.crl: 'not a crl' does not match/,
    ],
    [
      "a CRL without its CA",
      (v) => ({ ...v, connection: { clientCertificate: { crl: "-----BEGIN X509 CRL-----\nx\n-----END X509 CRL-----" } } }),
      /lchost:connection.clientCertificate.caCertificate: required but missing/,
    ],
    ["an FSB device without a path", (v) => ({ ...v, fsb: { mode: "device" } }), /lchost:fsb.devicePath: required when lchost:fsb.mode is 'device'/],
    [
      "an FSB device path outside /dev",
      (v) => ({ ...v, fsb: { mode: "device", devicePath: "/tmp/fsb" } }),
      /lchost:fsb.devicePath: '\/tmp\/fsb' does not match/,
    ],
    ["a negative sign latency", (v) => ({ ...v, fsb: { mode: "emulator", signLatencyMs: -5 } }), /lchost:fsb.signLatencyMs: -5 must be >= 0/],
    [
      "the shared FSB on a High Availability package",
      (v) => ({ ...v, fsb: { mode: "shared", sharedUrl: "http://fsb:7070", tokenKey: "wsPassword" } }),
      /lchost:fsb.mode: 'shared' is not allowed for edition 'high-availability'/,
    ],
    [
      "a negative expected volume",
      (v) => ({ ...v, expectedVolume: { activationsPerMonth: -1 } }),
      /lchost:expectedVolume.activationsPerMonth: -1 must be >= 0/,
    ],
    [
      "a sharedServer on a dedicated edition",
      (v) => ({ ...v, sharedServer: "shared-dc1" }),
      /lchost:sharedServer: 'shared-dc1' is only allowed with edition datacenter/,
    ],
    ["tenants on a customer stack", (v) => ({ ...v, tenants: ["acme"] }), /lchost:tenants: \["acme"\] is not allowed on a customer stack/],
    ["an unused secret key", (v) => ({ ...v, leftover: { secure: "v1:z" } }), /lchost:leftover: secret key is not used by any setting/],
    ["an https port out of range", (v) => ({ ...v, httpsPort: 70000 }), /lchost:httpsPort: 70000 must be <= 65535/],
    ["an unknown quota mode", (v) => ({ ...v, quotaMode: "strict" }), /lchost:quotaMode: 'strict' is not allowed; allowed: soft, hard/],
  ];
  it.each(cases)("rejects %s, naming the key", (_what, change, message) => {
    const problems = problemsOf(change(haValues()));
    expect(problems.join("\n")).toMatch(message);
  });

  it("rejects a shared server without tenants (its FSB emulator would never start)", () => {
    expect(problemsOf({ ...sharedValues(), tenants: [] })).toEqual(["lchost:tenants: must list at least 1 item(s)"]);
  });

  it("reports a malformed CIDR once, in words, without the schema's regular expression", () => {
    for (const cidr of ["300.1.2.3/40", "10.1.2.300/24", "not-a-cidr"]) {
      const ha = haValues() as any;
      const problems = problemsOf({ ...ha, connection: { ...ha.connection, ipAllowList: ["192.0.2.0/24", cidr] } });
      expect(problems).toEqual([`lchost:connection.ipAllowList[1]: '${cidr}' is not a valid CIDR (address/prefix, e.g. 203.0.113.0/24)`]);
    }
  });

  it("rejects a Datacenter tenant without its shared server", () => {
    const { sharedServer, ...rest } = datacenterValues();
    expect(problemsOf(rest).join("\n")).toMatch(/lchost:sharedServer: required for edition 'datacenter'/);
  });

  it("rejects connection settings on Datacenter, which has no web services", () => {
    expect(problemsOf({ ...datacenterValues(), connection: { ipAllowList: ["192.0.2.0/24"] } }).join("\n")).toMatch(
      /lchost:connection: not allowed for edition 'datacenter': it has no web-service access/,
    );
  });

  it("rejects lines on an edition other than High Availability", () => {
    expect(problemsOf({ ...dedicatedValues(), lines: 2 }).join("\n")).toMatch(
      /lchost:lines: 2 is only allowed with edition high-availability \(edition is 'dedicated'\)/,
    );
  });

  it("rejects a dedicated FSB emulator on Dedicated Server, which uses the shared FSB", () => {
    expect(problemsOf({ ...dedicatedValues(), fsb: { mode: "emulator" } }).join("\n")).toMatch(
      /lchost:fsb.mode: 'emulator' needs a dedicated FSB; edition 'dedicated' uses the shared FSB/,
    );
  });

  it("rejects customer keys on a shared-server stack", () => {
    expect(problemsOf({ ...sharedValues(), edition: "dedicated" }).join("\n")).toMatch(/lchost:edition: 'dedicated' is not allowed on a shared-server stack/);
  });

  it("lists every problem at once", () => {
    const problems = problemsOf({ ...haValues(), edition: "gold", customer: "UPPER", httpsPort: 0 });
    expect(problems.length).toBeGreaterThanOrEqual(3);
  });
});
