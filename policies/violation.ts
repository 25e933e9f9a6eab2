/** One policy finding on a planned stack, as `lchost plan`, `lchost check` and the fleet policies report it. */
export interface Violation {
  policy: string;
  enforcementLevel: "advisory" | "mandatory" | "remediate" | "disabled";
  resource?: string;
  message: string;
}
