// Runtime choice as pure logic; engine-outage.test.ts checks it against the real `docker info`.
import { describe, expect, it } from "vitest";
import { selectRuntime } from "./runtime";
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
