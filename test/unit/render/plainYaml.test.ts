import * as YAML from "yaml";
import { plainYaml } from "../../../render/plainYaml";

describe("plainYaml", () => {
  it("writes data that a YAML parser reads back unchanged, whatever the strings look like", () => {
    const data = {
      plain: "lc-wayne-line-1:8081",
      lookalikes: [
        "yes",
        "no",
        "on",
        "null",
        "1",
        "0x10",
        "1e3",
        "~",
        "",
        " padded ",
        "a: b",
        "#comment",
        "- dash",
        "[x]",
        "{y}",
        "*ref",
        "&anchor",
        "!tag",
        "%x",
        "@at",
        "`tick`",
      ],
      quotes: `he said "hi" and 'bye' \\ back`,
      lines: "first\nsecond\ttab",
      unicode: "Lizenz für Müller – ✓",
      numbers: [0, 5, -1, 0.0144, 14.4],
      flags: [true, false],
      nothing: null,
      empty: { list: [], map: {} },
      "key with: colon": 1,
      __param_module: "https_wayne",
      nested: [[1, 2], [{ a: [{ b: "c" }] }], { d: { e: ["f"] } }],
    };
    expect(YAML.parse(plainYaml(data))).toEqual(data);
  });

  it("leaves out undefined values and refuses what YAML here cannot hold", () => {
    expect(YAML.parse(plainYaml({ a: 1, b: undefined }))).toEqual({ a: 1 });
    expect(() => plainYaml({ a: Infinity })).toThrow(/Infinity has no YAML form/);
    expect(() => plainYaml({ f: () => 1 })).toThrow(/cannot write a function/);
  });
});
