import { Fleet } from "../model/fleet";
import { OperationsConfig } from "../model/stackConfig";
import { AlertmanagerConfigInput, renderAlertmanagerConfig } from "./alertmanager/config";
import { renderAlertRules, renderBlackboxConfig, renderPrometheusConfig } from "./prometheus";

/** The monitoring configuration of one operations stack, file name -> content (secrets excluded: see render/notifier/). */
export interface MonitoringFiles {
  "prometheus.yml": string;
  "rules.yml": string;
  "blackbox.yml": string;
  "alertmanager.yml": string;
}

/** Renders every monitoring file of an operations stack for a fleet (pure; what the operations stack uploads). */
export function renderMonitoringFiles(
  fleet: Fleet,
  ops: OperationsConfig,
  opts: {
    caFileOf?: (customer: string) => string | undefined;
    /** The status portal Alertmanager also posts every alert to (render/alertmanager/config.ts). */
    statusPortal?: AlertmanagerConfigInput["statusPortal"];
    /** The heal service Alertmanager posts its trigger alerts to (render/alertmanager/config.ts `heal`). */
    heal?: AlertmanagerConfigInput["heal"];
  } = {},
): MonitoringFiles {
  const intervals = ops.operations.intervals;
  return {
    "prometheus.yml": renderPrometheusConfig({ fleet, operationsStack: ops.name, intervals }),
    "rules.yml": renderAlertRules(undefined, intervals.scrapeSeconds),
    "blackbox.yml": renderBlackboxConfig({ fleet, intervals, caFileOf: opts.caFileOf }),
    "alertmanager.yml": renderAlertmanagerConfig({
      fleet,
      operationsStack: ops.name,
      onCall: ops.operations.onCall,
      intervals,
      statusPortal: opts.statusPortal,
      heal: opts.heal,
    }),
  };
}
