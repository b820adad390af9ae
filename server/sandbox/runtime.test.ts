// Runtime choice as pure logic; engine-outage.test.ts checks it against the real `docker info`.
import { describe, expect, it } from "vitest";
import { egressUnavailable, runtimeTraits, selectRuntime } from "./runtime";
import { SandboxError } from "./sandbox";

const withGvisor = { runtimes: ["io.containerd.runc.v2", "runc", "runsc"], defaultRuntime: "runc" };
const withoutGvisor = { runtimes: ["io.containerd.runc.v2", "runc"], defaultRuntime: "runc" };

describe("selectRuntime", () => {
  it("auto takes gVisor when the engine lists it, else the engine's default", () => {
    expect(selectRuntime("auto", withGvisor, "/var/run/docker.sock")).toBe("runsc");
    expect(selectRuntime("auto", withoutGvisor, "/var/run/docker.sock")).toBe("runc");
    expect(selectRuntime("auto", { runtimes: ["crun"], defaultRuntime: "crun" }, "/var/run/docker.sock")).toBe("crun");
  });

  it("a named runtime is used when listed and refused with a way out when not", () => {
    expect(selectRuntime("runc", withGvisor, "/var/run/docker.sock")).toBe("runc");
    expect(selectRuntime("runsc", withGvisor, "/var/run/docker.sock")).toBe("runsc");
    const refusal = () => selectRuntime("runsc", withoutGvisor, "tcp-host:2375");
    expect(refusal).toThrow(SandboxError);
    expect(refusal).toThrow(
      "PINCER_SANDBOX_RUNTIME=runsc, but the Docker engine at tcp-host:2375 has no runtime of that name (it has: io.containerd.runc.v2, runc). Install gVisor, register it with `runsc install` and reload dockerd, or set PINCER_SANDBOX_RUNTIME=auto",
    );
    expect(() => selectRuntime("kata", withoutGvisor, "e")).toThrow("Set PINCER_SANDBOX_RUNTIME to one of those, or to auto.");
  });
});

describe("runtimeTraits", () => {
  it("knows gVisor by its name or its binary, and only gVisor's --network=none takes the network away", () => {
    expect(runtimeTraits("runc", { path: "runc" })).toEqual({ gvisor: false, network: true });
    expect(runtimeTraits("runsc", undefined)).toEqual({ gvisor: true, network: true });
    expect(runtimeTraits("pincer-runsc-test", { path: "/usr/bin/runsc", runtimeArgs: ["--network=none"] })).toEqual({ gvisor: true, network: false });
    expect(runtimeTraits("gvisor", { path: "/usr/local/bin/runsc", runtimeArgs: ["--debug", "-network", "none"] })).toEqual({ gvisor: true, network: false });
    expect(runtimeTraits("gvisor", { path: "/usr/local/bin/runsc", runtimeArgs: ["--network=sandbox"] })).toEqual({ gvisor: true, network: true });
    expect(runtimeTraits("kata", { path: "/usr/bin/kata-runtime", runtimeArgs: ["--network=none"] })).toEqual({ gvisor: false, network: true });
  });

  it("refuses egress on such a runtime with the ways out", () => {
    const error = egressUnavailable("pincer-runsc-test");
    expect(error).toBeInstanceOf(SandboxError);
    expect(error.code).toBe("runtime_unavailable");
    expect(error.message).toMatch(/needs network egress, but its runtime pincer-runsc-test is gVisor registered with --network=none/);
    expect(error.message).toMatch(/set PINCER_SANDBOX_RUNTIME to a runtime with networking/);
  });
});
