import * as fs from "fs";
import * as path from "path";
import { imageScanOutcome, NO_APT, UPDATE_FAILED } from "../../../scan/imageSecurityUpdates";
import { parseAptSimulation } from "../../../scan/aptUpgradeSimulation";

// captured: lchost scan's docker run of lchost/haproxy:dev (Debian 12) on 2026-11-28
const captured = fs.readFileSync(path.join(__dirname, "fixtures", "apt-get-s-upgrade.haproxy-image.txt"), "utf8");

describe("apt-get -s upgrade parsing", () => {
  it("lists every package apt would install from the security suite, with both versions", () => {
    const updates = parseAptSimulation(captured);
    expect(updates.map((u) => u.package)).toEqual(["perl-base", "liblzma5", "libapt-pkg6.0", "apt", "libpcre2-8-0", "libssl3", "haproxy", "tzdata"]);
    expect(updates.find((u) => u.package === "libssl3")).toEqual({
      package: "libssl3",
      installed: "3.0.20-1~deb12u2",
      candidate: "3.0.22-1~deb12u2",
      suite: "Debian-Security:12/oldstable-security",
    });
  });

  it("ignores Conf lines and upgrades from suites that are not security suites", () => {
    const text = [
      "Inst base-files [12.4+deb12u5] (12.4+deb12u6 Debian:12.6/stable [amd64])",
      "Conf libssl3 (3.0.13-1~deb12u1 Debian-Security:12/stable-security [amd64])",
      "Inst libssl3 [3.0.11-1~deb12u2] (3.0.13-1~deb12u1 Debian-Security:12/stable-security [amd64])",
    ].join("\n");
    expect(parseAptSimulation(text).map((u) => u.package)).toEqual(["libssl3"]);
  });

  it("reads a package offered by several suites, an Ubuntu security suite and a newly pulled-in package", () => {
    const text = [
      "Inst libc6 [2.36-9+deb12u4] (2.36-9+deb12u7 Debian:12.6/stable, Debian-Security:12/stable-security [amd64])",
      "Inst libc-bin [2.35-0ubuntu3.6] (2.35-0ubuntu3.8 Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security [amd64]) []",
      "Inst linux-libc-dev (6.1.99-1 Debian-Security:12/stable-security [amd64])",
    ].join("\n");
    expect(parseAptSimulation(text)).toEqual([
      { package: "libc6", installed: "2.36-9+deb12u4", candidate: "2.36-9+deb12u7", suite: "Debian-Security:12/stable-security" },
      { package: "libc-bin", installed: "2.35-0ubuntu3.6", candidate: "2.35-0ubuntu3.8", suite: "Ubuntu:22.04/jammy-security" },
      { package: "linux-libc-dev", installed: undefined, candidate: "6.1.99-1", suite: "Debian-Security:12/stable-security" },
    ]);
  });

  it("finds nothing in an up-to-date image", () => {
    expect(parseAptSimulation("Reading package lists...\nCalculating upgrade...\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n")).toEqual(
      [],
    );
  });
});

describe("image scan outcome", () => {
  it("says why when no Docker engine answers, instead of reporting no updates", () => {
    const o = imageScanOutcome({
      code: 1,
      stdout: "",
      stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
    });
    expect(o).toEqual({ problem: expect.stringMatching(/^docker run failed \(exit 1\): Cannot connect to the Docker daemon/) });
  });

  it("quotes docker's own error for an image that is not on this machine (nothing is pulled)", () => {
    const stderr = "docker: Error response from daemon: No such image: haproxy:2.6.\nSee 'docker run --help'.\n";
    expect(imageScanOutcome({ code: 125, stdout: "", stderr })).toEqual({
      problem: "docker run failed (exit 125): docker: Error response from daemon: No such image: haproxy:2.6.",
    });
  });

  it("says so when the image has no apt-get, or apt-get update could not fetch the lists", () => {
    expect(imageScanOutcome({ code: 0, stdout: `${NO_APT}\n`, stderr: "" })).toEqual({ problem: expect.stringMatching(/no apt-get/) });
    expect(imageScanOutcome({ code: 0, stdout: `${UPDATE_FAILED}\n0 upgraded, 0 newly installed\n`, stderr: "" })).toEqual({
      problem: expect.stringMatching(/apt-get update failed/),
    });
  });

  it("turns the captured output into the pending updates", () => {
    const o = imageScanOutcome({ code: 0, stdout: captured, stderr: "" });
    expect("updates" in o && o.updates).toHaveLength(8);
  });
});
