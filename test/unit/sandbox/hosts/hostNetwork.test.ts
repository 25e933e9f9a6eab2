import { hostNetworkCommands, hostNetworkProblems, HostNetworkSpec } from "../../../../sandbox/hosts/hostNetwork";

const spec = (): HostNetworkSpec => ({
  bridge: "nstbr",
  prefixLength: 24,
  bridgeAddress: "10.245.9.254",
  hosts: [
    { name: "h1", netns: "nst-h1", veth: "nstv1", addresses: ["10.245.9.11", "10.245.9.21"], sysctls: ["net.ipv4.ip_nonlocal_bind=1"] },
    { name: "h2", netns: "nst-h2", veth: "nstv2", addresses: ["10.245.9.12"] },
  ],
});

describe("hosts as network namespaces on one bridge (hostNetworkCommands)", () => {
  it("puts each host's veth end into its namespace, renamed to the hosts' interface, with every address of the host", () => {
    const { up } = hostNetworkCommands({ ...spec(), interfaceName: "eth1" });
    const text = up.map((c) => c.join(" "));
    expect(text.slice(0, 3)).toEqual(["ip link add nstbr type bridge", "ip link set nstbr up", "ip addr add 10.245.9.254/24 dev nstbr"]);
    expect(text).toEqual(
      expect.arrayContaining([
        "ip netns add nst-h1",
        "ip link add nstv1 type veth peer name nstv1n",
        "ip link set nstv1n netns nst-h1",
        "ip -n nst-h1 link set nstv1n name eth1",
        "ip -n nst-h1 addr add 10.245.9.11/24 dev eth1",
        "ip -n nst-h1 addr add 10.245.9.21/24 dev eth1",
        "ip netns exec nst-h1 sysctl -q -w net.ipv4.ip_nonlocal_bind=1",
        "ip link set nstv1 master nstbr",
        "ip -n nst-h2 addr add 10.245.9.12/24 dev eth1",
      ]),
    );
    // the link joins the bridge only once the namespace's end is configured
    expect(text.indexOf("ip link set nstv1 up")).toBeGreaterThan(text.indexOf("ip -n nst-h1 link set eth1 up"));
    expect(text.filter((c) => c.includes("sysctl"))).toHaveLength(1);
  });

  it("removes the namespaces, veths and bridge it made", () => {
    expect(hostNetworkCommands(spec()).down.map((c) => c.join(" "))).toEqual([
      "ip netns del nst-h1",
      "ip netns del nst-h2",
      "ip link del nstv1",
      "ip link del nstv2",
      "ip link del nstbr",
    ]);
  });

  it("refuses a faulty spec naming each field", () => {
    const bad = spec();
    bad.bridge = "a-bridge-name-too-long";
    bad.hosts[1].addresses = ["10.245.9.11", "10.245.9.300"];
    bad.hosts[1].veth = "nstv1";
    bad.hosts[1].sysctls = ["rm -rf /"];
    expect(hostNetworkProblems(bad)).toEqual([
      'bridge: "a-bridge-name-too-long" is not an interface name of at most 15 characters',
      "hosts[1].veth: nstv1 is already hosts[0].veth's",
      "hosts[1].addresses[0]: 10.245.9.11 is already hosts[0].addresses[0]'s",
      'hosts[1].addresses[1]: "10.245.9.300" is not an IPv4 address',
      'hosts[1].sysctls: "rm -rf /" is not key=number',
    ]);
    expect(() => hostNetworkCommands(bad)).toThrow(/^host network: bridge: /);
  });
});
