import { describe, expect, it } from "vitest";
import { engineBannerText } from "./engine-banner-text";

describe("engine banner text", () => {
  it("says where the engine is, why it does not answer, and that Pincer retries", () => {
    expect(engineBannerText({ state: "unreachable", address: "127.0.0.1:2375", reason: "connection refused (ECONNREFUSED)" })?.headline).toBe(
      "Docker engine unreachable at 127.0.0.1:2375: connection refused (ECONNREFUSED); retrying.",
    );
  });

  it("says nothing while the engine answers or has not been asked yet", () => {
    expect(engineBannerText({ state: "ok", address: "/var/run/docker.sock" })).toBeNull();
    expect(engineBannerText({ state: "unknown", address: "/var/run/docker.sock" })).toBeNull();
  });
});
