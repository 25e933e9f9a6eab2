import { parseStackFileText } from "../../../model/stackFile";
import * as YAML from "yaml";
import { dedicatedValues, haValues, parse } from "../stackFixtures";

const k8s = (values: Record<string, unknown>) => ({ ...values, platform: "kubernetes" });
const hpDevice = (device: Record<string, unknown>) =>
  k8s({ ...haValues(), edition: "high-performance", lines: undefined, fsb: { mode: "device" }, kubernetes: { fsbDevice: device } });

describe("lchost:platform kubernetes in the stack configuration", () => {
  test("a High Availability stack on Kubernetes is accepted, with the gateway's Service type LoadBalancer by default", () => {
    const cfg = parse(k8s(haValues())) as any;
    expect(cfg.platform).toBe("kubernetes");
    expect(cfg.kubernetes).toEqual({ serviceType: "LoadBalancer" });
  });

  test("a Docker stack has no kubernetes settings (its config is unchanged)", () => {
    expect((parse(haValues()) as any).kubernetes).toBeUndefined();
  });

  test("storage class, service type and a device plugin's FSB are taken as given", () => {
    const cfg = parse(hpDevice({ resourceName: "vendor.example/fsb", nodeSelector: { "lchost.dev/fsb": "present" } })) as any;
    expect(cfg.kubernetes.fsbDevice).toEqual({ resourceName: "vendor.example/fsb", nodeSelector: { "lchost.dev/fsb": "present" } });
    const withClass = parse(k8s({ ...haValues(), kubernetes: { storageClass: "ebs.csi.aws.com", serviceType: "NodePort" } })) as any;
    expect(withClass.kubernetes).toEqual({ storageClass: "ebs.csi.aws.com", serviceType: "NodePort" });
  });

  test.each([
    [
      "a storage class that is no DNS subdomain",
      k8s({ ...haValues(), kubernetes: { storageClass: "Fast_SSD" } }),
      /lchost:kubernetes\.storageClass: 'Fast_SSD' is not a storage class name/,
    ],
    [
      "a service type not in the list",
      k8s({ ...haValues(), kubernetes: { serviceType: "ExternalName" } }),
      /lchost:kubernetes\.serviceType: 'ExternalName' is not allowed; allowed: LoadBalancer, NodePort, ClusterIP/,
    ],
    ["an FSB device without a node selector", hpDevice({ resourceName: "vendor.example/fsb" }), /lchost:kubernetes\.fsbDevice\.nodeSelector: required/],
    [
      "an FSB device mode without lchost:kubernetes.fsbDevice",
      k8s({ ...haValues(), fsb: { mode: "device" } }),
      /lchost:kubernetes\.fsbDevice: required when lchost:fsb\.mode is 'device' on Kubernetes/,
    ],
    [
      "an FSB device given both ways",
      hpDevice({ resourceName: "vendor.example/fsb", hostPath: "/dev/fsb0", nodeSelector: { a: "b" } }),
      /lchost:kubernetes\.fsbDevice: set exactly one of resourceName .* or hostPath .*; got both/,
    ],
    ["the Docker-only fsb.devicePath", k8s({ ...haValues(), fsb: { mode: "device", devicePath: "/dev/fsb0" } }), /lchost:fsb\.devicePath: Docker-only/],
    ["the Docker-only generation", k8s({ ...dedicatedValues(), generation: 3 }), /lchost:generation: Docker-only/],
    ["the Docker hosts inventory (lchost:host)", k8s({ ...dedicatedValues(), host: "dc1-a" }), /lchost:host: Docker-only \(a host of the Docker inventory\)/],
    [
      "kubernetes settings on Docker",
      { ...haValues(), kubernetes: { serviceType: "NodePort" } },
      /lchost:kubernetes: only allowed with lchost:platform 'kubernetes' \(platform is 'docker'\)/,
    ],
  ])("refuses %s, naming the key", (_what, values, message) => {
    expect(() => parse(values as Record<string, unknown>)).toThrow(message);
  });

  test("refuses the Docker provider's keys (docker:host) on a Kubernetes stack, naming the key", () => {
    const text = YAML.stringify({
      config: {
        "lchost:customer": "acme",
        "lchost:edition": "datacenter",
        "lchost:sharedServer": "s",
        "lchost:platform": "kubernetes",
        "docker:host": "ssh://h",
      },
    });
    expect(() => parseStackFileText(text, "/x/Pulumi.acme.yaml")).toThrow(
      /docker:host: Docker-only \(the Docker provider's setting\); not allowed with lchost:platform 'kubernetes'/,
    );
  });
});
