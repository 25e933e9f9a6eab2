import { LcMetrics, ScrapeSources } from "../../../license-central/src/metrics";

/** The scrape-time gauges from fake sources: each read on its own, none able to fail the scrape. */
describe("License Central's scrape-time gauges", () => {
  const sources = (over: Partial<ScrapeSources> = {}): ScrapeSources => ({
    quotaUsage: async () => ({ activations: 20_000, webServiceCalls: 12 }),
    quotaLimits: () => ({ activations: 25_000, webServiceCalls: 250_000 }),
    readiness: async () => ({ ready: true, database: true }),
    ...over,
  });
  const exposition = async (m: LcMetrics) => m.registry.metrics();

  test("usage, limits, database and readiness from their sources, labelled with the edition", async () => {
    const m = new LcMetrics("high-availability");
    await m.refresh(sources());
    const text = await exposition(m);
    expect(text).toContain('lc_quota_used{quota="activations",edition="high-availability"} 20000');
    expect(text).toContain('lc_quota_limit{quota="webServiceCalls",edition="high-availability"} 250000');
    expect(text).toContain('lc_database_up{edition="high-availability"} 1');
    expect(text).toContain('lc_ready{edition="high-availability"} 1');
  });

  test("a quota without a limit has no lc_quota_limit series (a ratio alert then has nothing to divide by)", async () => {
    const m = new LcMetrics("datacenter");
    await m.refresh(sources({ quotaLimits: () => ({ activations: 1500, webServiceCalls: null }) }));
    const text = await exposition(m);
    expect(text).toContain('lc_quota_limit{quota="activations",edition="datacenter"} 1500');
    expect(text).not.toContain('lc_quota_limit{quota="webServiceCalls"');
  });

  test("a failed usage read drops the lc_quota_used series of earlier scrapes instead of serving a stale count", async () => {
    const m = new LcMetrics("dedicated");
    await m.refresh(sources());
    await m.refresh(sources({ quotaUsage: async () => Promise.reject(new Error("the database did not answer within 1000 ms")) }));
    const text = await exposition(m);
    expect(text).not.toMatch(/^lc_quota_used\{/m);
    expect(text).toContain('lc_scrape_read_errors_total{read="quota",edition="dedicated"} 1');
    expect(text).toContain('lc_quota_limit{quota="activations",edition="dedicated"} 25000');
  });

  test("a readiness check that throws reports the line and its database as down", async () => {
    const m = new LcMetrics("dedicated");
    await m.refresh(sources({ readiness: async () => Promise.reject(new Error("boom")) }));
    const text = await exposition(m);
    expect(text).toContain('lc_database_up{edition="dedicated"} 0');
    expect(text).toContain('lc_ready{edition="dedicated"} 0');
  });
});
