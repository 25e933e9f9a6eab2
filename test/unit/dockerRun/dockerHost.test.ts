import { parseDockerHost } from "../../../dockerRun/dockerEngine";

describe("docker:host as the migration reaches the customer's engine", () => {
  it("defaults to the local socket", () => {
    expect(parseDockerHost(undefined)).toEqual({ socketPath: process.env.DOCKER_SOCKET ?? "/var/run/docker.sock" });
    expect(parseDockerHost("")).toEqual({ socketPath: process.env.DOCKER_SOCKET ?? "/var/run/docker.sock" });
  });
  it("takes unix://, tcp:// and ssh:// hosts", () => {
    expect(parseDockerHost("unix:///run/docker.sock")).toEqual({ socketPath: "/run/docker.sock" });
    expect(parseDockerHost("tcp://10.0.0.5:2375")).toEqual({ host: "10.0.0.5", port: 2375 });
    expect(parseDockerHost("ssh://ops@db7.example")).toEqual({ ssh: "ops@db7.example" });
  });
  it("names the value and what is allowed when it is not a Docker host", () => {
    expect(() => parseDockerHost("db7.example:2375")).toThrow(
      "docker:host: 'db7.example:2375' is not a Docker host (allowed: unix:///path, tcp://host:port, ssh://[user@]host[:port])",
    );
    expect(() => parseDockerHost("tcp://db7.example")).toThrow("docker:host: 'tcp://db7.example' needs tcp://host:port");
  });
});
