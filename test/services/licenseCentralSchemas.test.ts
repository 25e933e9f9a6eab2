/** The route schemas' error mapper: ajv's first error as the services' 400 naming the field as a caller writes it. */
import { schemaErrorToHttpError } from "../../license-central/src/schemas";
import { fieldOf } from "../../service-kit/src/schemaErrors";
import { call, RunningFsb, RunningLc, startFsb, startLc } from "../support/services";

describe("schema errors as HttpError", () => {
  test.each([
    ["", "body", undefined, "body"],
    ["/orderId", "body", undefined, "orderId"],
    ["/items/1/productCode", "body", undefined, "items[1].productCode"],
    ["/items/0", "body", "colour", "items[0].colour"],
    ["", "body", "idempotencyKey", "idempotencyKey"],
    ["/a~1b", "body", undefined, "a/b"],
  ])("path %j (+ %s) names field %s", (path, root, child, field) => {
    expect(fieldOf(path, root, child)).toBe(field);
  });

  test("a missing property takes the message from its description, an unknown one is 'unknown field'", () => {
    const missing = schemaErrorToHttpError(
      [
        {
          keyword: "required",
          instancePath: "",
          schemaPath: "#/required",
          params: { missingProperty: "enabled" },
          message: "x",
          parentSchema: { properties: { enabled: { description: "is required and must be true or false" } } },
        } as any,
      ],
      "body",
    );
    expect({ status: missing.statusCode, field: missing.field, message: missing.message }).toEqual({
      status: 400,
      field: "enabled",
      message: "enabled: is required and must be true or false",
    });
    const unknown = schemaErrorToHttpError(
      [{ keyword: "additionalProperties", instancePath: "/items/2", schemaPath: "#", params: { additionalProperty: "x" }, message: "x" } as any],
      "body",
    );
    expect(unknown.message).toBe("items[2].x: unknown field");
  });
});

describe("License Central validates bodies by the route schemas", () => {
  let fsb: RunningFsb;
  let lc: RunningLc;
  beforeAll(async () => {
    fsb = await startFsb();
    lc = await startLc(fsb.url);
  }, 60_000);
  afterAll(async () => {
    await lc.stop();
    await fsb.stop();
  });

  test("an activation without a body is 400 naming the body, not a 500", async () => {
    const res = await call(lc.publicUrl, "POST", "/depot/v1/tickets/AAAAA-BBBBB-CCCCC-DDDDD-EEEEE/activations");
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "invalid_field", field: "body" });
  });

  test("types are not coerced: a numeric string is not a productCode", async () => {
    const res = await call(lc.adminUrl, "POST", "/admin/v1/tickets", {
      json: { orderId: "SC-1", items: [{ productCode: "7", quantity: 1 }] },
      token: lc.adminToken,
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      field: "items[0].productCode",
      message: expect.stringMatching(/^items\[0\]\.productCode: is required and must be an integer/),
    });
  });

  test("a repeated month query parameter is 400 naming month", async () => {
    const res = await call(lc.adminUrl, "GET", "/admin/v1/usage?month=2025-01&month=2025-02", { token: lc.adminToken });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("month");
  });
});
