import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

/** License Central's Prometheus metrics, all labelled with the edition; served on the admin port only. */
export class LcMetrics {
  readonly registry = new Registry();
  readonly activationsTotal: Counter<"result">;
  readonly deactivationsTotal: Counter;
  readonly wsCallsTotal: Counter;
  readonly quotaExceeded: Counter<"quota" | "mode">;
  readonly fsbErrors: Counter;
  readonly activationSeconds: Histogram;

  constructor(edition: string, defaultMetrics = false) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ edition });
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
    this.activationsTotal = new Counter({ name: "lc_activations_total", help: "Activation requests by outcome", labelNames: ["result"], registers });
    this.deactivationsTotal = new Counter({ name: "lc_deactivations_total", help: "Deactivations", registers });
    this.wsCallsTotal = new Counter({ name: "lc_web_service_calls_total", help: "Web-service calls served", registers });
    this.quotaExceeded = new Counter({
      name: "lc_quota_exceeded_total",
      help: "Requests over a monthly quota (soft: served; hard: refused)",
      labelNames: ["quota", "mode"],
      registers,
    });
    this.fsbErrors = new Counter({ name: "lc_fsb_errors_total", help: "Failed calls to the FSB", registers });
    this.activationSeconds = new Histogram({
      name: "lc_activation_duration_seconds",
      help: "Activation request duration (database + FSB)",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }
}
