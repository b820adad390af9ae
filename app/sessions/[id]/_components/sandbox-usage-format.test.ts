import { describe, expect, it } from "vitest";
import { formatBytes, formatCpu } from "./sandbox-usage-format";

describe("sandbox usage figures", () => {
  it("shows bytes in binary units, whole numbers without a decimal", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(50 * 1024 * 1024)).toBe("50 MiB");
    expect(formatBytes(1.5 * 1024 * 1024)).toBe("1.5 MiB");
    expect(formatBytes(123.4 * 1024 * 1024)).toBe("123 MiB");
    expect(formatBytes(2 * 1024 ** 3)).toBe("2 GiB");
  });

  it("shows CPU against the sandbox's CPU limit when it has one", () => {
    expect(formatCpu(0, 1)).toBe("0.0% of 1 CPU");
    expect(formatCpu(3.14, 2)).toBe("3.1% of 2 CPUs");
    expect(formatCpu(87.6, null)).toBe("88%");
  });
});
