export * from "./targets";
export * from "./config";
export * from "./rules";
export * from "./blackbox";
export * from "./alertTable";
export * from "./slaRules";
