/**
 * Alertmanager's webhook payload (version 4, as Alertmanager 0.25 posts it to webhook_configs), its JSON
 * schema for the route, and the mapper from ajv's first error to a 400 naming the field.
 */
import type { FastifySchemaValidationError } from "fastify/types/schema";
import { bad, HttpError } from "../../service-kit/src/httpErrors";
import { firstSchemaProblem } from "../../service-kit/src/schemaErrors";
import { CUSTOMER_NAME_PATTERN, NOTIFIER_CHANNELS } from "./env";

export interface AlertmanagerAlert {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** RFC 3339 */
  startsAt: string;
  /** RFC 3339; "0001-01-01T00:00:00Z" while firing */
  endsAt: string;
  generatorURL?: string;
  fingerprint?: string;
}

export interface AlertmanagerPayload {
  version: "4";
  groupKey: string;
  truncatedAlerts?: number;
  status: "firing" | "resolved";
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: AlertmanagerAlert[];
}

/** ajv options: no coercion, nothing removed silently, the failing schema attached to each error. */
export const AJV_OPTIONS = { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false, verbose: true } as const;

const RFC3339 = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$";
const stringMap = (what: string) => ({
  type: "object",
  additionalProperties: { type: "string", maxLength: 4096, description: "must be a string of at most 4096 characters" },
  maxProperties: 100,
  description: `must be an object of ${what} (strings)`,
});

export const alertmanagerPayloadSchema = {
  type: "object",
  description: "must be Alertmanager's webhook payload (a JSON object)",
  required: ["version", "status", "alerts"],
  // Alertmanager adds fields in minor versions; unknown top-level fields are tolerated, the ones we read are checked
  properties: {
    version: { type: "string", const: "4", description: 'must be "4" (Alertmanager webhook payload version 4)' },
    groupKey: { type: "string", maxLength: 4096, description: "must be a string" },
    truncatedAlerts: { type: "integer", minimum: 0, description: "must be a non-negative integer" },
    status: { type: "string", enum: ["firing", "resolved"], description: 'is required and must be "firing" or "resolved"' },
    receiver: { type: "string", maxLength: 256, description: "must be a string" },
    groupLabels: stringMap("labels"),
    commonLabels: stringMap("labels"),
    commonAnnotations: stringMap("annotations"),
    externalURL: { type: "string", maxLength: 2048, description: "must be a string" },
    alerts: {
      type: "array",
      minItems: 1,
      maxItems: 1000,
      description: "is required and must be an array of 1 to 1000 alerts",
      items: {
        type: "object",
        description: "must be an alert object",
        required: ["status", "labels", "startsAt"],
        properties: {
          status: { type: "string", enum: ["firing", "resolved"], description: 'is required and must be "firing" or "resolved"' },
          labels: {
            ...stringMap("labels"),
            required: ["alertname", "customer", "severity", "component", "part"],
            properties: {
              severity: { type: "string", enum: ["info", "warning", "critical"], description: "must be info, warning or critical" },
              customer: { type: "string", pattern: CUSTOMER_NAME_PATTERN.source.replace("_oncall|", ""), description: "must be a customer stack name" },
            },
          },
          annotations: stringMap("annotations"),
          startsAt: { type: "string", pattern: RFC3339, description: "is required and must be an RFC 3339 time" },
          endsAt: { type: "string", pattern: RFC3339, description: "must be an RFC 3339 time" },
          generatorURL: { type: "string", maxLength: 2048, description: "must be a string" },
          fingerprint: { type: "string", maxLength: 64, description: "must be a string" },
        },
      },
    },
  },
} as const;

export const alertmanagerParamsSchema = {
  type: "object",
  required: ["customer", "channel"],
  properties: {
    customer: { type: "string", pattern: CUSTOMER_NAME_PATTERN.source, description: "must be a customer stack name or _oncall" },
    channel: { type: "string", enum: [...NOTIFIER_CHANNELS], description: `must be one of ${NOTIFIER_CHANNELS.join(", ")}` },
  },
} as const;

/** Fastify's schemaErrorFormatter: the first validation error as a 400 naming the field (params: 404). */
export function schemaErrorToHttpError(errors: FastifySchemaValidationError[], dataVar: string): HttpError {
  const { field, reason } = firstSchemaProblem(errors, dataVar);
  // an unknown customer or channel in the path is a resource that does not exist
  if (dataVar === "params") return new HttpError(404, "not_found", `${field}: ${reason}`, field);
  return bad(field, reason);
}
