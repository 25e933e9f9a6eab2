import { DATABASE_KINDS } from "./databaseKind";

/** JSON Schema of model/catalog.yaml: the catalog is checked at load, so a typo never reaches a customer. */
const quotas = {
  type: "object",
  additionalProperties: false,
  required: ["activationsPerMonth", "webServiceCallsPerMonth", "perLine"],
  properties: {
    activationsPerMonth: { type: "integer", minimum: 1 },
    webServiceCallsPerMonth: { type: "integer", minimum: 0 },
    perLine: { type: "boolean" },
  },
};

/** SLA credit bands, highest first; their order and coverage are checked in catalog.ts (slaCreditProblems). */
const slaCredits = {
  type: "array",
  minItems: 1,
  items: {
    type: "object",
    additionalProperties: false,
    required: ["atLeastPercent", "creditPercent"],
    properties: {
      atLeastPercent: { type: "number", minimum: 0, maximum: 100 },
      creditPercent: { type: "number", minimum: 0, maximum: 100 },
    },
  },
};

/** A container's memory and CPU shares (an edition's parts, the status portal's database). */
const containerResources = {
  type: "object",
  additionalProperties: false,
  required: ["memoryMb", "cpuShares"],
  properties: { memoryMb: { type: "integer", minimum: 64 }, cpuShares: { type: "integer", minimum: 2 } },
};

/** An HTTPS entry's connection and request limits (a customer's gateway, the status portal's entry). */
const gatewayLimits = {
  type: "object",
  additionalProperties: false,
  required: ["maxConnections", "connectionsPerSource", "requestsPerSourcePer10s"],
  properties: {
    maxConnections: { type: "integer", minimum: 1 },
    connectionsPerSource: { type: "integer", minimum: 1 },
    requestsPerSourcePer10s: { type: "integer", minimum: 1 },
  },
};

const edition = {
  type: "object",
  additionalProperties: false,
  required: ["title", "component", "infrastructure", "quotas", "availabilityPercent", "slaCredits", "includes", "lines", "database", "resources", "gateway"],
  properties: {
    title: { type: "string", minLength: 1 },
    component: { type: "string", pattern: "^[A-Z][A-Za-z]+$" },
    infrastructure: { type: "string" },
    quotas,
    availabilityPercent: { type: "number", exclusiveMinimum: 90, maximum: 100 },
    slaCredits,
    includes: {
      type: "object",
      additionalProperties: false,
      required: ["webServices", "dedicatedServer", "dedicatedFsb", "sharedServer"],
      properties: {
        webServices: { type: "boolean" },
        dedicatedServer: { type: "boolean" },
        dedicatedFsb: { type: "boolean" },
        sharedServer: { type: "boolean" },
      },
    },
    lines: {
      type: "object",
      additionalProperties: false,
      required: ["min", "max", "default"],
      properties: {
        min: { type: "integer", minimum: 1 },
        max: { type: "integer", minimum: 1 },
        default: { type: "integer", minimum: 1 },
      },
    },
    database: {
      type: "object",
      additionalProperties: false,
      required: ["kind", "nodes"],
      properties: {
        kind: { enum: [...DATABASE_KINDS] },
        nodes: { type: "integer", minimum: 1 },
      },
    },
    resources: containerResources,
    gateway: gatewayLimits,
  },
};

const seconds = { type: "integer", minimum: 1 };
const fraction = { type: "number", exclusiveMinimum: 0, maximum: 1 };
const monitoring = {
  type: "object",
  additionalProperties: false,
  required: ["intervals", "alerts", "slo"],
  properties: {
    intervals: {
      type: "object",
      additionalProperties: false,
      required: ["scrapeSeconds", "scrapeTimeoutSeconds", "evaluationSeconds", "groupWaitSeconds", "groupIntervalSeconds", "repeatIntervalMinutes"],
      properties: {
        scrapeSeconds: seconds,
        scrapeTimeoutSeconds: seconds,
        evaluationSeconds: seconds,
        groupWaitSeconds: { type: "integer", minimum: 0 },
        groupIntervalSeconds: seconds,
        repeatIntervalMinutes: seconds,
      },
    },
    alerts: {
      type: "object",
      additionalProperties: false,
      required: ["downForSeconds", "slowForSeconds", "errorRate5xx", "latencyP99", "fsbQueueSaturation", "quota", "certificateDays"],
      properties: {
        downForSeconds: { type: "integer", minimum: 0 },
        slowForSeconds: { type: "integer", minimum: 0 },
        errorRate5xx: {
          type: "object",
          additionalProperties: false,
          required: ["fraction", "windowSeconds"],
          properties: { fraction, windowSeconds: seconds },
        },
        latencyP99: {
          type: "object",
          additionalProperties: false,
          required: ["seconds", "windowSeconds"],
          properties: { seconds: { type: "number", exclusiveMinimum: 0 }, windowSeconds: seconds },
        },
        fsbQueueSaturation: {
          type: "object",
          additionalProperties: false,
          required: ["fraction", "forSeconds"],
          properties: { fraction, forSeconds: { type: "integer", minimum: 0 } },
        },
        quota: {
          type: "object",
          additionalProperties: false,
          required: ["warnFraction", "limitFraction"],
          properties: { warnFraction: fraction, limitFraction: fraction },
        },
        certificateDays: seconds,
      },
    },
    slo: {
      type: "object",
      additionalProperties: false,
      required: ["burnRates"],
      properties: {
        burnRates: {
          type: "array",
          minItems: 1,
          items: {
            type: "object",
            additionalProperties: false,
            required: ["severity", "longWindowMinutes", "shortWindowMinutes", "factor"],
            properties: {
              severity: { enum: ["info", "warning", "critical"] },
              longWindowMinutes: seconds,
              shortWindowMinutes: seconds,
              factor: { type: "number", exclusiveMinimum: 0 },
            },
          },
        },
      },
    },
  },
};

export const catalogSchema = {
  type: "object",
  additionalProperties: false,
  required: ["editions", "common", "monitoring", "sla", "placement"],
  properties: {
    placement: {
      type: "object",
      additionalProperties: false,
      required: ["headroomPercent", "sharedServerResources"],
      properties: {
        headroomPercent: { type: "integer", minimum: 0, maximum: 90 },
        sharedServerResources: {
          type: "object",
          additionalProperties: false,
          required: ["memoryMb", "cpuShares"],
          properties: { memoryMb: { type: "integer", minimum: 64 }, cpuShares: { type: "integer", minimum: 2 } },
        },
      },
    },
    editions: {
      type: "object",
      additionalProperties: false,
      required: ["datacenter", "dedicated", "high-performance", "high-availability"],
      properties: {
        datacenter: edition,
        dedicated: edition,
        "high-performance": edition,
        "high-availability": edition,
      },
    },
    monitoring,
    sla: {
      type: "object",
      additionalProperties: false,
      required: ["downMinuteFailedShare", "maintenanceNoticeDays"],
      properties: {
        downMinuteFailedShare: { type: "number", exclusiveMinimum: 0, maximum: 1 },
        maintenanceNoticeDays: { type: "integer", minimum: 0 },
      },
    },
    common: {
      type: "object",
      additionalProperties: false,
      required: [
        "minutesPerMonth",
        "balancerDeadLineDetectionSeconds",
        "containerHealthyWithinSeconds",
        "images",
        "prometheusRetentionDays",
        "operationsImages",
        "haImages",
        "statusPortal",
      ],
      properties: {
        minutesPerMonth: { type: "integer", minimum: 1 },
        balancerDeadLineDetectionSeconds: { type: "number", exclusiveMinimum: 0 },
        containerHealthyWithinSeconds: { type: "integer", minimum: 10 },
        images: {
          type: "object",
          additionalProperties: false,
          required: ["licenseCentral", "fsbEmulator", "database", "balancer", "mysqldExporter"],
          properties: {
            licenseCentral: { type: "string" },
            fsbEmulator: { type: "string" },
            database: { type: "string" },
            balancer: { type: "string" },
            mysqldExporter: { type: "string" },
          },
        },
        prometheusRetentionDays: { type: "integer", minimum: 1 },
        operationsImages: {
          type: "object",
          additionalProperties: false,
          required: ["prometheus", "alertmanager", "blackboxExporter", "notifier", "statusPortal", "heal"],
          properties: {
            prometheus: { type: "string" },
            alertmanager: { type: "string" },
            blackboxExporter: { type: "string" },
            notifier: { type: "string" },
            statusPortal: { type: "string" },
            heal: { type: "string" },
          },
        },
        haImages: {
          type: "object",
          additionalProperties: false,
          required: ["keepalived", "galeraArbitrator"],
          properties: {
            keepalived: { type: "string" },
            galeraArbitrator: { type: "string" },
          },
        },
        statusPortal: {
          type: "object",
          additionalProperties: false,
          required: ["database", "gateway"],
          properties: {
            database: containerResources,
            gateway: gatewayLimits,
          },
        },
      },
    },
  },
} as const;
