/**
 * Request schemas declared on the routes (Fastify validates them with ajv before the handler runs), and
 * the mapper that turns ajv's first error into the services' answer `{ error, message, field }`: the
 * field as a caller writes it (`items[1].productCode`), the message from the property's `description`.
 */
import type { FastifySchemaValidationError } from "fastify/types/schema";
import { firstSchemaProblem } from "../../service-kit/src/schemaErrors";
import { bad, HttpError } from "./httpErrors";
import { CONTAINER_PATTERN, KEY_PATTERN, MONTH_PATTERN, ORDER_ID_PATTERN, UINT32_MAX } from "./validation";

/** ajv options for the services: no type coercion, nothing silently removed, the failing schema attached to each error. */
export const AJV_OPTIONS = { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false, verbose: true } as const;

const source = (re: RegExp) => re.source;

export const ticketRequestSchema = {
  type: "object",
  description: "must be a JSON object",
  required: ["orderId", "items"],
  additionalProperties: false,
  properties: {
    orderId: { type: "string", pattern: source(ORDER_ID_PATTERN), description: "is required and must be a string of 1-128 printable ASCII characters" },
    items: {
      type: "array",
      minItems: 1,
      maxItems: 100,
      description: "is required and must be an array of 1 to 100 items",
      items: {
        type: "object",
        description: "must be a JSON object",
        required: ["productCode", "quantity"],
        additionalProperties: false,
        properties: {
          productCode: { type: "integer", minimum: 1, maximum: UINT32_MAX, description: `is required and must be an integer from 1 to ${UINT32_MAX}` },
          quantity: { type: "integer", minimum: 1, maximum: 1_000_000, description: "is required and must be an integer from 1 to 1000000" },
        },
      },
    },
  },
} as const;

export const activationRequestSchema = {
  type: "object",
  description: "must be a JSON object",
  required: ["container", "idempotencyKey"],
  additionalProperties: false,
  properties: {
    container: {
      type: "string",
      pattern: source(CONTAINER_PATTERN),
      description: `is required and must be a string matching ${CONTAINER_PATTERN} (e.g. a CmContainer serial like 3-1234567)`,
    },
    idempotencyKey: { type: "string", pattern: source(KEY_PATTERN), description: "is required and must be 1-128 printable ASCII characters without spaces" },
  },
} as const;

export const maintenanceRequestSchema = {
  type: "object",
  description: "must be a JSON object",
  required: ["enabled"],
  additionalProperties: false,
  properties: {
    enabled: { type: "boolean", description: "is required and must be true or false" },
    retryAfterSeconds: { type: "integer", minimum: 1, maximum: 3600, description: "must be an integer between 1 and 3600" },
    reason: { type: "string", maxLength: 200, description: "must be a string of at most 200 characters" },
  },
} as const;

export const usageQuerySchema = {
  type: "object",
  properties: {
    month: { type: "string", pattern: source(MONTH_PATTERN), description: "must be a month as YYYY-MM, e.g. 2025-01" },
  },
} as const;

/** Fastify's schemaErrorFormatter: the first validation error as a 400 naming the field. */
export function schemaErrorToHttpError(errors: FastifySchemaValidationError[], dataVar: string): HttpError {
  const { field, reason } = firstSchemaProblem(errors, dataVar === "querystring" ? "query" : dataVar);
  return bad(field, reason);
}
