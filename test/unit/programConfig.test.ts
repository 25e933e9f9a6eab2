import * as pulumi from "@pulumi/pulumi";
import { readProgramConfig } from "../../model/programConfig";

describe("the Pulumi program's configuration", () => {
  afterEach(() => pulumi.runtime.setAllConfig({}, []));

  it("reads lchost: keys the way the engine passes them (objects and numbers as JSON strings)", () => {
    pulumi.runtime.setAllConfig(
      {
        "lchost:customer": "wayne",
        "lchost:edition": "high-availability",
        "lchost:lines": "3",
        "lchost:connection": JSON.stringify({ basicAuth: { username: "crm", passwordKey: "wsPassword" } }),
        "lchost:wsPassword": "s3cret-value",
        "docker:host": "ssh://ops@server",
      },
      ["lchost:wsPassword"],
    );
    expect(readProgramConfig()).toMatchObject({ customer: "wayne", edition: "high-availability", lines: 3, connection: { basicAuth: { username: "crm" } } });
  });

  it("keeps a numeric-looking customer label a string", () => {
    pulumi.runtime.setAllConfig({ "lchost:customer": "123", "lchost:edition": "datacenter", "lchost:sharedServer": "shared-dc1" }, []);
    expect(readProgramConfig()).toMatchObject({ customer: "123" });
  });

  it("rejects a basic-auth password that is not a secret, naming the key", () => {
    pulumi.runtime.setAllConfig(
      {
        "lchost:customer": "wayne",
        "lchost:edition": "high-availability",
        "lchost:connection": JSON.stringify({ basicAuth: { username: "crm", passwordKey: "wsPassword" } }),
        "lchost:wsPassword": "plain",
      },
      [],
    );
    expect(() => readProgramConfig()).toThrow(/lchost:wsPassword: named by lchost:connection.basicAuth.passwordKey, so it must be a secret/);
  });
});
