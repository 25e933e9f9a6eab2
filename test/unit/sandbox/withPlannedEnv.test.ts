import { TranslationContext, translateContainer, withPlannedEnv } from "../../../sandbox/containerTranslation";

const line = {
  name: "lc-wayne-line-3",
  envs: ["DB_HOST=lc-wayne-db-3", "DB_PORT=3306", "LOG_LEVEL=info"],
  labels: [{ label: "lchost.role", value: "license-central" }],
};

describe("a placed container's planned environment set otherwise (withPlannedEnv)", () => {
  it("replaces the named variables and keeps the others and their order", () => {
    expect(withPlannedEnv(line, { DB_HOST: "lc-wayne-db" }).envs).toEqual(["DB_HOST=lc-wayne-db", "DB_PORT=3306", "LOG_LEVEL=info"]);
    // the planned container is left as it was
    expect(line.envs[0]).toBe("DB_HOST=lc-wayne-db-3");
  });

  it("is translated like a planned value: the container name becomes that container's address", () => {
    const ctx: TranslationContext = {
      stack: "wayne",
      sandboxDir: "/sb",
      nodeBinary: "/usr/bin/node",
      pathEnv: "/usr/bin",
      haproxyBinary: "/usr/sbin/haproxy",
      services: { fsbEmulator: "/fsb.js", licenseCentral: "/lc.js" },
      addresses: new Map([
        ["lc-wayne-line-3", "10.247.1.250"],
        ["lc-wayne-db", "10.247.1.249"],
        ["lc-wayne-db-3", "10.247.1.248"],
      ]),
    };
    const spec = translateContainer(withPlannedEnv(line, { DB_HOST: "lc-wayne-db" }), ctx);
    expect(spec.env.DB_HOST).toBe("10.247.1.249");
  });

  it("refuses a variable the container is not planned with, naming it", () => {
    expect(() => withPlannedEnv(line, { DB_HOTS: "lc-wayne-db" })).toThrow(
      "container 'lc-wayne-line-3' is not planned with DB_HOTS: only planned variables can be set otherwise",
    );
  });
});
