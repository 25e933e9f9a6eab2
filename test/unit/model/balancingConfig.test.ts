import { StackConfigError } from "../../../model/stackConfig";
import { dedicatedValues, haValues, parse, sharedValues } from "../stackFixtures";

function problemsOf(values: Record<string, unknown>): string[] {
  try {
    parse(values);
  } catch (e) {
    if (e instanceof StackConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected the configuration to be rejected");
}

/** The HA fixture (3 lines) with this lchost:balancing. */
const withBalancing = (balancing: unknown) => ({ ...haValues(), balancing });

describe("lchost:balancing (High Availability)", () => {
  it("is absent by default: the balancer keeps its defaults", () => {
    expect(parse(haValues())).not.toHaveProperty("balancing");
  });

  it("fills algorithm roundrobin and no routes when only weights are given", () => {
    expect(parse(withBalancing({ weights: [1, 2, 3] }))).toMatchObject({ balancing: { algorithm: "roundrobin", weights: [1, 2, 3], routes: [] } });
  });

  it("takes every setting: algorithm, weights, routes, sticky, rate limit", () => {
    const balancing = {
      algorithm: "leastconn",
      weights: [3, 1, 1],
      routes: [{ pathPrefix: "/ws/", lines: [1, 2] }],
      sticky: "cookie",
      rateLimit: { requestsPerSecond: 20 },
    };
    expect(parse(withBalancing(balancing))).toMatchObject({ balancing });
  });

  const refusals: Array<[string, unknown, string]> = [
    [
      "a route to line 9 of 3",
      { routes: [{ pathPrefix: "/ws/", lines: [1, 9] }] },
      "lchost:balancing.routes[0].lines[1]: line 9 does not exist; the stack has 3 lines (lchost:lines), numbered 1 to 3",
    ],
    [
      "weights of the wrong length",
      { weights: [1, 2] },
      "lchost:balancing.weights: lists 2 weight(s), but the stack has 3 lines (lchost:lines); give one weight per line, in line order",
    ],
    ["an unknown algorithm", { algorithm: "random" }, "lchost:balancing.algorithm: 'random' is not allowed; allowed: roundrobin, leastconn, source"],
    [
      "a route prefix not starting with /",
      { routes: [{ pathPrefix: "ws/", lines: [1] }] },
      "lchost:balancing.routes[0].pathPrefix: 'ws/' is not a path prefix starting with '/' (segments of letters, digits, '.', '_', '~', '-'; e.g. /ws/)",
    ],
    [
      "a route prefix with an empty segment",
      { routes: [{ pathPrefix: "//ws/", lines: [1] }] },
      "lchost:balancing.routes[0].pathPrefix: '//ws/' is not a path prefix starting with '/' (segments of letters, digits, '.', '_', '~', '-'; e.g. /ws/)",
    ],
    [
      "a route prefix with a dot segment",
      { routes: [{ pathPrefix: "/depot/../ws/", lines: [1] }] },
      "lchost:balancing.routes[0].pathPrefix: '/depot/../ws/' has a '.' or '..' segment; the balancer routes on normalized paths, which never have one",
    ],
    [
      "two prefixes for the same paths",
      {
        routes: [
          { pathPrefix: "/ws/", lines: [1] },
          { pathPrefix: "/WS", lines: [2] },
        ],
      },
      "lchost:balancing.routes[1].pathPrefix: '/WS' names the same paths as lchost:balancing.routes[0].pathPrefix (prefixes match case-insensitively, with or without the trailing '/')",
    ],
    ["a weight above HAProxy's 256", { weights: [1, 2, 300] }, "lchost:balancing.weights[2]: 300 must be <= 256"],
    ["a weight of 0", { weights: [0, 1, 1] }, "lchost:balancing.weights[0]: 0 must be >= 1"],
    ["a route without lines", { routes: [{ pathPrefix: "/ws/", lines: [] }] }, "lchost:balancing.routes[0].lines: must list at least 1 item(s)"],
    ["an unknown stickiness", { sticky: "session" }, "lchost:balancing.sticky: 'session' is not allowed; allowed: source, cookie"],
    ["a rate limit of 0", { rateLimit: { requestsPerSecond: 0 } }, "lchost:balancing.rateLimit.requestsPerSecond: 0 must be >= 1"],
    ["an unknown setting", { algoritm: "source" }, "lchost:balancing.algoritm: unknown key; allowed here: algorithm, weights, routes, sticky, rateLimit"],
  ];

  it.each(refusals)("refuses %s, naming the key", (_what, balancing, problem) => {
    expect(problemsOf(withBalancing(balancing))).toContain(problem);
  });

  it("checks routes and weights against the default of 2 lines when lchost:lines is absent", () => {
    const v = withBalancing({ weights: [1, 1, 1], routes: [{ pathPrefix: "/ws/", lines: [3] }] });
    delete v.lines;
    expect(problemsOf(v)).toEqual([
      "lchost:balancing.weights: lists 3 weight(s), but the stack has 2 lines (lchost:lines); give one weight per line, in line order",
      "lchost:balancing.routes[0].lines[0]: line 3 does not exist; the stack has 2 lines (lchost:lines), numbered 1 to 2",
    ]);
  });

  it("refuses balancing on an edition without several lines", () => {
    expect(problemsOf({ ...dedicatedValues(), balancing: { algorithm: "leastconn" } })).toContain(
      "lchost:balancing: not allowed for edition 'dedicated': only high-availability balances over several lines",
    );
  });

  it("refuses balancing on a shared-server stack", () => {
    expect(problemsOf({ ...sharedValues(), balancing: { algorithm: "leastconn" } })).toContain(
      `lchost:balancing: {"algorithm":"leastconn"} is not allowed on a shared-server stack (lchost:role: shared-server)`,
    );
  });
});
