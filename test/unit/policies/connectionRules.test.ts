import { basicAuthOnlyOverTls } from "../../../policies/rules/basicAuthOnlyOverTls";
import { databaseAndFsbPortsNotPublished } from "../../../policies/rules/databaseAndFsbPortsNotPublished";
import { ipAllowListNarrow } from "../../../policies/rules/ipAllowListNarrow";
import { ipAllowListNotOpen } from "../../../policies/rules/ipAllowListNotOpen";
import { publishedEndpointsTlsOnly } from "../../../policies/rules/publishedEndpointsTlsOnly";
import { webServicesAuthenticated } from "../../../policies/rules/webServicesAuthenticated";
import { check, checkAllExamples, container, editUpload, example, withResource } from "./examplePlans";

const CFG = "/usr/local/etc/haproxy/haproxy.cfg";

describe("published-endpoints-tls-only", () => {
  const policy = publishedEndpointsTlsOnly;

  test("every example stack passes", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test("a gateway binding its published port without TLS is a violation", async () => {
    const globex = await example("globex");
    const plan = withResource(globex.plan, container("gateway"), (i) =>
      editUpload(i, "haproxy.cfg", (cfg) => cfg.replace(/bind \*:8443 ssl crt \S+/, "bind *:8443")),
    );
    expect((await check(policy, { ...globex, plan })).map((x) => x.message)).toEqual([
      "haproxy.cfg of 'lc-globex-gateway' binds *:8443 (frontend https) without TLS ('ssl crt')",
    ]);
  });

  test("License Central publishing its plain-HTTP port is a violation", async () => {
    const hooli = await example("hooli");
    const plan = withResource(hooli.plan, container("line-1"), (i) => (i.ports = [{ internal: 8080, external: 8080 }]));
    expect((await check(policy, { ...hooli, plan })).map((x) => x.message)).toEqual([
      "'lc-hooli-line-1' publishes port 8080->8080, which no TLS bind of an uploaded haproxy.cfg serves",
    ]);
  });

  test("a gateway publishing a second port that HAProxy does not serve with TLS is a violation", async () => {
    const hooli = await example("hooli");
    const plan = withResource(hooli.plan, container("gateway"), (i) => i.ports.push({ internal: 8404, external: 8404 }));
    expect((await check(policy, { ...hooli, plan })).map((x) => x.message)).toEqual([
      "'lc-hooli-gateway' publishes port 8404->8404, which no TLS bind of an uploaded haproxy.cfg serves",
    ]);
  });

  test("a gateway publishing its Prometheus port (plain HTTP, container network only) is a violation", async () => {
    const hooli = await example("hooli");
    const plan = withResource(hooli.plan, container("gateway"), (i) => i.ports.push({ internal: 8405, external: 8405 }));
    expect((await check(policy, { ...hooli, plan })).map((x) => x.message)).toEqual([
      "haproxy.cfg of 'lc-hooli-gateway' binds *:8405 (frontend prometheus) without TLS ('ssl crt')",
    ]);
  });
});

describe("web-services-authenticated", () => {
  const policy = webServicesAuthenticated;

  test("every example stack passes", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test("a gateway whose haproxy.cfg guards /ws/ with nothing is a violation", async () => {
    const hooli = await example("hooli");
    // hooli guards /ws/ with a client certificate and an allow-list: remove both deny rules.
    const plan = withResource(hooli.plan, container("gateway"), (i) =>
      editUpload(i, "haproxy.cfg", (cfg) =>
        cfg
          .split("\n")
          .filter((l) => !/http-request deny deny_status 403 if web_service !/.test(l))
          .join("\n"),
      ),
    );
    expect((await check(policy, { ...hooli, plan })).map((x) => [x.policy, x.message])).toEqual([
      [
        "web-services-authenticated",
        `${CFG} of 'lc-hooli-gateway' serves /ws/ to anyone; configure at least one of lchost:connection.clientCertificate, ipAllowList, basicAuth`,
      ],
    ]);
  });

  test("a client CA that is loaded but not enforced does not count as protection", async () => {
    const hooli = await example("hooli");
    const plan = withResource(hooli.plan, container("gateway"), (i) =>
      editUpload(i, "haproxy.cfg", (cfg) =>
        cfg
          .split("\n")
          .filter((l) => !/if web_service !(\{ ssl_c_used|allowed_source)/.test(l))
          .join("\n"),
      ),
    );
    expect(await check(policy, { ...hooli, plan })).toHaveLength(1);
  });
});

describe("basic-auth-only-over-tls", () => {
  const policy = basicAuthOnlyOverTls;

  test("every example stack passes", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test("basic authentication on a plain-HTTP bind is a violation", async () => {
    const globex = await example("globex");
    const plan = withResource(globex.plan, container("gateway"), (i) =>
      editUpload(i, "haproxy.cfg", (cfg) => cfg.replace(/bind \*:8443 ssl crt \S+/, "bind *:8443")),
    );
    expect((await check(policy, { ...globex, plan })).map((x) => x.message)).toEqual([
      `${CFG} of 'lc-globex-gateway' asks for basic authentication on *:8443 without TLS`,
    ]);
  });
});

describe("ip-allow-list-not-open", () => {
  const policy = ipAllowListNotOpen;

  test("every example stack passes", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test.each(["0.0.0.0/0", "::/0"])("the allow-list entry %s is a violation", async (cidr) => {
    const hooli = await example("hooli");
    const plan = withResource(hooli.plan, container("gateway"), (i) => editUpload(i, "allow.lst", (list) => `${list}${cidr}\n`));
    const v = await check(policy, { ...hooli, plan });
    expect(v.map((x) => [x.enforcementLevel, x.message])).toEqual([
      [
        "mandatory",
        `lchost:connection.ipAllowList: '${cidr}' (in /usr/local/etc/haproxy/allow.lst of 'lc-hooli-gateway') admits every address; list the customer's networks`,
      ],
    ]);
  });
});

describe("ip-allow-list-narrow (advisory)", () => {
  const policy = ipAllowListNarrow;

  test("every example stack passes", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test("an IPv4 entry shorter than /16 is an advisory violation", async () => {
    const globex = await example("globex");
    const plan = withResource(globex.plan, container("gateway"), (i) => editUpload(i, "allow.lst", () => "10.0.0.0/8\n"));
    expect((await check(policy, { ...globex, plan })).map((x) => [x.enforcementLevel, x.message])).toEqual([
      ["advisory", "lchost:connection.ipAllowList: '10.0.0.0/8' is wider than /16 (IPv4); is the whole range really the customer's?"],
    ]);
  });

  test("the threshold is tunable through the policy config", async () => {
    const globex = await example("globex"); // allows 198.51.100.0/24
    expect(await check(policy, globex, { config: { minIpv4PrefixLength: 25 } })).toHaveLength(1);
    expect(await check(policy, globex, { config: { minIpv4PrefixLength: 24 } })).toHaveLength(0);
  });
});

describe("database-and-fsb-ports-not-published", () => {
  const policy = databaseAndFsbPortsNotPublished;

  test("every example stack passes", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test("a published database port is a violation", async () => {
    const globex = await example("globex");
    const plan = withResource(globex.plan, container("database"), (i) => (i.ports = [{ internal: 3306, external: 3306 }]));
    expect((await check(policy, { ...globex, plan })).map((x) => x.message)).toEqual([
      "database container 'lc-globex-db' publishes port 3306->3306; it must be reachable only on its Docker network",
    ]);
  });

  test("a published FSB port is a violation", async () => {
    const hooli = await example("hooli");
    const plan = withResource(hooli.plan, container("fsb-1"), (i) => (i.ports = [{ internal: 7070, external: 17070 }]));
    expect((await check(policy, { ...hooli, plan })).map((x) => x.message)).toEqual([
      "fsb container 'lc-hooli-fsb-1' publishes port 17070->7070; it must be reachable only on its Docker network",
    ]);
  });

  test("the entry point forwarding the MariaDB port is a violation", async () => {
    const hooli = await example("hooli");
    const plan = withResource(hooli.plan, container("gateway"), (i) => i.ports.push({ internal: 3306, external: 3306 }));
    expect((await check(policy, { ...hooli, plan })).map((x) => x.message)).toEqual([
      "'lc-hooli-gateway' publishes the MariaDB port 3306 (as 3306); it must never be published",
    ]);
  });
});
