import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeFileToolContext } from "./file-tools.test-helpers";
import { lsTool } from "./ls";

describe("LS tool", () => {
  it("prints a tree, directories first, with links and bulky directories not followed", async () => {
    const { workspaceDir, context } = await makeFileToolContext();
    await mkdir(path.join(workspaceDir, "src/lib"), { recursive: true });
    await mkdir(path.join(workspaceDir, "node_modules/pkg"), { recursive: true });
    await writeFile(path.join(workspaceDir, "src/lib/a.ts"), "");
    await writeFile(path.join(workspaceDir, "src/index.ts"), "");
    await writeFile(path.join(workspaceDir, "debug.log"), "");
    await writeFile(path.join(workspaceDir, "README.md"), "");
    await symlink("/etc", path.join(workspaceDir, "etc-link"));
    const result = await lsTool.run({ path: "/workspace", ignore: ["*.log"] }, context);
    expect(result.output).toBe(
      ["- /workspace/", "  - node_modules/ (not expanded)", "  - src/", "    - lib/", "      - a.ts", "    - index.ts", "  - etc-link@", "  - README.md"].join("\n"),
    );
    const sub = await lsTool.run({ path: "src" }, context);
    expect(sub.output.split("\n")[0]).toBe("- /workspace/src/");
  });

  it("bounds the listing and refuses files and paths outside the workspace", async () => {
    const { workspaceDir, context } = await makeFileToolContext();
    await Promise.all(Array.from({ length: 600 }, (_, i) => writeFile(path.join(workspaceDir, `f${i}`), "")));
    const result = await lsTool.run({ path: "." }, context);
    expect(result.output).toMatch(/stopped after 500 entries/);
    expect(result.metadata).toMatchObject({ entries: 500, truncated: true });
    await expect(lsTool.run({ path: "f1" }, context)).rejects.toThrow(/is a file/);
    await expect(lsTool.run({ path: "/etc" }, context)).rejects.toThrow(/outside the workspace/);
    await expect(lsTool.run({ path: "etc-link-missing" }, context)).rejects.toThrow(/does not exist/);
  });
});
