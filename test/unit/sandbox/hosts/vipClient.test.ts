import { RequestOutcome, retryable, summarize } from "../../../../sandbox/hosts/vipClient";

const attempt = (status: number) => ({ startedAt: 0, endedAt: 1, status });
const outcome = (...statuses: number[]): RequestOutcome => ({
  ticket: "t",
  idempotencyKey: "k",
  container: "3-1000000",
  attempts: statuses.map(attempt),
  acknowledged: statuses.includes(201),
});

describe("the VIP client's accounting", () => {
  it("retries (once, same key) on no answer, 5xx, 409 in progress and 429 — not on other refusals", () => {
    expect([0, 502, 503, 409, 429].map((s) => retryable(attempt(s)))).toEqual([true, true, true, true, true]);
    expect([201, 400, 404, 422].map((s) => retryable(attempt(s)))).toEqual([false, false, false, false]);
  });

  it("counts acknowledged, fixed by the retry and failed, and the availability after the retry and of first attempts", () => {
    const s = summarize([outcome(201), outcome(201), outcome(503, 201), outcome(0, 0)]);
    expect(s).toEqual({
      requests: 4,
      acknowledged: 3,
      fixedByRetry: 1,
      failed: 1,
      firstAttemptsFailed: 2,
      availability: 0.75,
      firstAttemptAvailability: 0.5,
    });
    expect(summarize([]).availability).toBe(1);
  });
});
