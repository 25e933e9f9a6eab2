import type { ActivationMachine } from "./activation";
import type { LcConfig } from "./config";
import type { FsbClient } from "./fsbClient";
import type { MaintenanceGate } from "./maintenance";
import type { Metering } from "./metering";
import type { LcMetrics } from "./metrics";
import type { LcStore } from "./store";
import type { TicketService } from "./tickets";

/** What the route plugins work with: the use cases and the state of this line, built once by buildLcApps. */
export interface LcServices {
  config: LcConfig;
  store: LcStore;
  fsb: FsbClient;
  tickets: TicketService;
  activations: ActivationMachine;
  metering: Metering;
  maintenance: MaintenanceGate;
  metrics: LcMetrics;
}
