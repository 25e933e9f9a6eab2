import { databaseVolumesRetainedOnDelete } from "../../../policies/rules/databaseVolumesRetainedOnDelete";
import { secretsNotInPlainText } from "../../../policies/rules/secretsNotInPlainText";
import { check, checkAllExamples, container, editUpload, example, setEnv, uploadText, volume, withResource } from "./examplePlans";

describe("database-volumes-retained-on-delete", () => {
  const policy = databaseVolumesRetainedOnDelete;

  test("every example stack passes", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test("a database volume without retainOnDelete is a violation", async () => {
    const wayne = await example("wayne");
    const plan = withResource(wayne.plan, volume("db-data-2"), (_i, r) => (r.retainOnDelete = false));
    expect((await check(policy, { ...wayne, plan })).map((x) => [x.policy, x.resource, x.message])).toEqual([
      [
        "database-volumes-retained-on-delete",
        "urn:pulumi:wayne::lchost::pulumi:pulumi:Stack$docker:index/volume:Volume::db-data-2",
        "database volume 'lc-wayne-db-data-2' would be deleted with its stack or on replacement; set retainOnDelete: true",
      ],
    ]);
  });

  test("a volume named *-db-data* counts as a database volume even without the label", async () => {
    const globex = await example("globex");
    const plan = withResource(globex.plan, volume("db-data"), (i, r) => {
      i.labels = [];
      r.retainOnDelete = false;
    });
    expect(await check(policy, { ...globex, plan })).toHaveLength(1);
  });

  test("the FSB key volumes are not database volumes (not judged here)", async () => {
    const hooli = await example("hooli");
    const plan = withResource(hooli.plan, volume("fsb-1-keys"), (_i, r) => (r.retainOnDelete = false));
    expect(await check(policy, { ...hooli, plan })).toEqual([]);
  });
});

describe("secrets-not-in-plain-text", () => {
  const policy = secretsNotInPlainText;

  test("every example stack passes", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test("a database password in a plain env value is a violation", async () => {
    const globex = await example("globex");
    const plan = withResource(globex.plan, container("line-1"), (i) => setEnv(i, "DB_PASSWORD", "hunter2"));
    expect((await check(policy, { ...globex, plan })).map((x) => [x.policy, x.message])).toEqual([
      ["secrets-not-in-plain-text", "env DB_PASSWORD of container 'lc-globex-line-1' is plain text; pass it as a Pulumi secret (pulumi.secret(...))"],
    ]);
  });

  test("an env naming where a secret file is (…_FILE=/absolute/path) is not a secret itself; any other value under such a name still is", async () => {
    const ops = await example("ops-dc1");
    expect(await check(policy, ops)).toEqual([]); // NOTIFIER_TOKEN_FILE=/etc/lchost/notifier/alertmanager-token
    const value = withResource(ops.plan, container("notifier"), (i) => setEnv(i, "NOTIFIER_TOKEN_FILE", "hunter2"));
    expect((await check(policy, { ...ops, plan: value })).map((x) => x.message)).toEqual([
      "env NOTIFIER_TOKEN_FILE of container 'lc-ops-ops-dc1-notifier' is plain text; pass it as a Pulumi secret (pulumi.secret(...))",
    ]);
  });

  test("the shared FSB's firm tokens in plain text are a violation", async () => {
    const shared = await example("shared-dc1");
    const plan = withResource(shared.plan, container("fsb"), (i) => setEnv(i, "FSB_FIRM_TOKENS", "acme=a,initech=b"));
    expect((await check(policy, { ...shared, plan })).map((x) => x.message)).toEqual([
      "env FSB_FIRM_TOKENS of container 'lc-shared-dc1-fsb' is plain text; pass it as a Pulumi secret (pulumi.secret(...))",
    ]);
  });

  test("a token in a label is a violation", async () => {
    const hooli = await example("hooli");
    const plan = withResource(hooli.plan, container("line-1"), (i) => i.labels.push({ label: "lchost.admin-token", value: "abc" }));
    expect((await check(policy, { ...hooli, plan })).map((x) => x.message)).toEqual([
      "label lchost.admin-token of container 'lc-hooli-line-1' holds a credential in plain text; labels are readable by anyone with Docker access — do not put credentials there",
    ]);
  });

  test("the TLS private key uploaded as plain text is a violation", async () => {
    const hooli = await example("hooli");
    const plan = withResource(hooli.plan, container("gateway"), (i) => {
      const n = i.uploads.findIndex((u: any) => u.file.endsWith("server.pem"));
      i.uploads[n].content = uploadText(i, "server.pem");
    });
    expect((await check(policy, { ...hooli, plan })).map((x) => x.message)).toEqual([
      "upload /usr/local/etc/haproxy/tls/server.pem of container 'lc-hooli-gateway' holds a private key in plain text; make its content a Pulumi secret",
    ]);
  });

  test("the tenant's setup SQL (it sets a password) uploaded as plain text is a violation", async () => {
    const acme = await example("acme");
    const plan = withResource(acme.plan, container("database-setup"), (i) => {
      const sql = uploadText(i, "setup.sql");
      i.uploads[0].content = sql;
    });
    expect((await check(policy, { ...acme, plan })).map((x) => x.message)).toEqual([
      "upload /job/setup.sql of container 'lc-acme-line-1-db-setup' holds a database password in plain text; make its content a Pulumi secret",
    ]);
  });

  test("a basic-auth haproxy.cfg uploaded as plain text is a violation", async () => {
    const wayne = await example("wayne");
    const plan = withResource(wayne.plan, container("gateway"), (i) => {
      const n = i.uploads.findIndex((u: any) => u.file.endsWith("haproxy.cfg"));
      i.uploads[n].content = uploadText(i, "haproxy.cfg");
    });
    expect((await check(policy, { ...wayne, plan })).map((x) => x.message)).toEqual([
      "upload /usr/local/etc/haproxy/haproxy.cfg of container 'lc-wayne-gateway' holds an HAProxy user password in plain text; make its content a Pulumi secret",
    ]);
  });

  // Under the CLI, @pulumi/policy unwraps secrets before validation: no secret paths are recorded for
  // the props, and the policy can only go by opts.additionalSecretOutputs (see the rule's comment).
  const asUnderTheCli = async (additionalSecretOutputs: string[]) => {
    const globex = await example("globex");
    const r = globex.plan.resources.find(container("line-1"))!;
    const props = JSON.parse(JSON.stringify(r.inputs, (_k, v) => (v && v.$secret === true ? v.value : v)));
    const messages: string[] = [];
    const args: any = {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      stackTags: new Map(),
      opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: {}, additionalSecretOutputs },
      isType: (cls: any) => cls.__pulumiType === r.type,
      asType: () => props,
      getConfig: () => ({}),
      notApplicable: () => {
        throw new Error("not applicable");
      },
    };
    await (secretsNotInPlainText.validateResource as any)(args, (m: string) => messages.push(m));
    return { messages, secretEnvNames: (r.inputs.envs as any[]).filter((e) => typeof e !== "string").map((e) => e.value.split("=")[0]) };
  };

  test("under the CLI, sensitive env values pass when envs is an additional secret output", async () => {
    expect((await asUnderTheCli(["envs"])).messages).toEqual([]);
  });

  test("under the CLI, sensitive env values are violations when envs is not declared secret", async () => {
    const { messages, secretEnvNames } = await asUnderTheCli([]);
    expect(secretEnvNames).toEqual(expect.arrayContaining(["DB_PASSWORD", "FSB_TOKEN", "LC_ADMIN_TOKEN"]));
    expect(messages).toEqual(
      secretEnvNames.map((k) => `env ${k} of container 'lc-globex-line-1' is plain text; pass it as a Pulumi secret (pulumi.secret(...))`),
    );
  });
});

// editUpload is used by other suites; keep the import list honest here.
void editUpload;
