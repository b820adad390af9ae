import { describe, expect, it } from "vitest";
import { languageForPath } from "./file-language";

describe("languageForPath", () => {
  it("maps common extensions", () => {
    expect(languageForPath("src/app/page.tsx")).toBe("tsx");
    expect(languageForPath("server/index.ts")).toBe("typescript");
    expect(languageForPath("a/b/main.PY")).toBe("python");
    expect(languageForPath("Cargo.toml")).toBe("toml");
    expect(languageForPath("docs/README.md")).toBe("markdown");
  });

  it("knows extension-less file names", () => {
    expect(languageForPath("sandbox-images/base/Dockerfile")).toBe("dockerfile");
    expect(languageForPath("Dockerfile.dev")).toBe("dockerfile");
    expect(languageForPath("Makefile")).toBe("makefile");
    expect(languageForPath(".env.local")).toBe("dotenv");
  });

  it("falls back to text", () => {
    expect(languageForPath("LICENSE")).toBe("text");
    expect(languageForPath("weird.xyz")).toBe("text");
    expect(languageForPath("")).toBe("text");
  });
});
