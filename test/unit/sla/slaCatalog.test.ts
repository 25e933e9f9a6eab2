import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { editionCatalog, parseCatalog, slaRules, slaTerms } from "../../../model/catalog";

/* The SLA part of the edition catalog: a guarantee and a credit table per edition, checked at load. */

const text = fs.readFileSync(path.join(__dirname, "../../../model/catalog.yaml"), "utf8");

/** The shipped catalog with one change to the dedicated edition's credit table. */
function withDedicatedCredits(credits: unknown): string {
  const doc = YAML.parse(text);
  doc.editions.dedicated.slaCredits = credits;
  return YAML.stringify(doc);
}

describe("the catalog's SLA terms", () => {
  it("guarantees 99.5 % for the single-line editions and 99.9 % for High Availability, announced maintenance excluded", () => {
    expect(slaTerms("datacenter").guaranteePercent).toBe(99.5);
    expect(slaTerms("dedicated").guaranteePercent).toBe(99.5);
    expect(slaTerms("high-performance").guaranteePercent).toBe(99.5);
    expect(slaTerms("high-availability").guaranteePercent).toBe(99.9);
  });

  it("starts every credit table at the edition's guarantee with no credit and ends it at 0 %", () => {
    for (const e of Object.values(editionCatalog().editions)) {
      expect(e.slaCredits[0]).toEqual({ atLeastPercent: e.availabilityPercent, creditPercent: 0 });
      expect(e.slaCredits[e.slaCredits.length - 1].atLeastPercent).toBe(0);
    }
  });

  it("probes often enough to judge every minute by several probes (43 minutes a month measured to the minute)", () => {
    const probesPerMinute = 60 / editionCatalog().monitoring.intervals.scrapeSeconds;
    expect(probesPerMinute).toBeGreaterThanOrEqual(6);
    expect(Number.isInteger(probesPerMinute)).toBe(true);
  });

  it("has the minute rule and the maintenance notice", () => {
    expect(slaRules()).toEqual({ downMinuteFailedShare: 0.5, maintenanceNoticeDays: 5 });
  });
});

describe("a faulty credit table is refused naming its path", () => {
  const good = [
    { atLeastPercent: 99.5, creditPercent: 0 },
    { atLeastPercent: 99, creditPercent: 10 },
    { atLeastPercent: 0, creditPercent: 25 },
  ];

  it("accepts the happy path", () => {
    expect(parseCatalog(withDedicatedCredits(good)).editions.dedicated.slaCredits).toEqual(good);
  });

  it("refuses overlapping (or unordered) bands", () => {
    const bad = [good[0], { atLeastPercent: 99.7, creditPercent: 10 }, good[2]];
    expect(() => parseCatalog(withDedicatedCredits(bad))).toThrow(
      /\/editions\/dedicated\/slaCredits\/1\/atLeastPercent 99.7 must be below the band above \(99.5\)/,
    );
  });

  it("refuses a table that leaves low availabilities without a band", () => {
    const bad = [good[0], good[1]];
    expect(() => parseCatalog(withDedicatedCredits(bad))).toThrow(/\/editions\/dedicated\/slaCredits\/1\/atLeastPercent must be 0/);
  });

  it("refuses a first band other than the guarantee", () => {
    const bad = [{ atLeastPercent: 99.9, creditPercent: 0 }, ...good.slice(1)];
    expect(() => parseCatalog(withDedicatedCredits(bad))).toThrow(
      /\/editions\/dedicated\/slaCredits\/0\/atLeastPercent must be the guarantee availabilityPercent 99.5/,
    );
  });

  it("refuses a credit for a month that met the guarantee", () => {
    const bad = [{ atLeastPercent: 99.5, creditPercent: 5 }, ...good.slice(1)];
    expect(() => parseCatalog(withDedicatedCredits(bad))).toThrow(/\/editions\/dedicated\/slaCredits\/0\/creditPercent must be 0/);
  });

  it("refuses a worse band that credits less", () => {
    const bad = [good[0], good[1], { atLeastPercent: 0, creditPercent: 5 }];
    expect(() => parseCatalog(withDedicatedCredits(bad))).toThrow(
      /\/editions\/dedicated\/slaCredits\/2\/creditPercent 5 must be more than the band above \(10\)/,
    );
  });

  it("refuses a band without its credit (schema)", () => {
    expect(() => parseCatalog(withDedicatedCredits([{ atLeastPercent: 99.5 }]))).toThrow(
      /\/editions\/dedicated\/slaCredits\/0 must have required property 'creditPercent'/,
    );
  });

  it("refuses a catalog without the sla section", () => {
    const doc = YAML.parse(text);
    delete doc.sla;
    expect(() => parseCatalog(YAML.stringify(doc))).toThrow(/must have required property 'sla'/);
  });
});
