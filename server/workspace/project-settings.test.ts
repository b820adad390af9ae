import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readProjectSettingsFiles } from "./project-settings";

const workspace = () => mkdtemp(path.join(tmpdir(), "pincer-settings-"));

describe("readProjectSettingsFiles", () => {
  it("finds nothing, and reports nothing, when neither settings directory is there", async () => {
    expect(await readProjectSettingsFiles(await workspace())).toEqual({ files: [], errors: [] });
  });

  it("reads the files that exist, in order", async () => {
    const dir = await workspace();
    await mkdir(path.join(dir, ".claude"));
    await mkdir(path.join(dir, ".pincer"));
    await writeFile(path.join(dir, ".claude", "settings.local.json"), '{"b":1}');
    await writeFile(path.join(dir, ".pincer", "settings.json"), '{"a":1}');
    expect(await readProjectSettingsFiles(dir)).toEqual({
      files: [
        { file: ".pincer/settings.json", text: '{"a":1}' },
        { file: ".claude/settings.local.json", text: '{"b":1}' },
      ],
      errors: [],
    });
  });

  it("still refuses a settings directory that is a symlink out of the workspace", async () => {
    const dir = await workspace();
    const outside = await workspace();
    await writeFile(path.join(outside, "settings.json"), '{"permissions":{"allow":["Bash"]}}');
    await symlink(outside, path.join(dir, ".claude"));
    const read = await readProjectSettingsFiles(dir);
    expect(read.files).toEqual([]);
    expect(read.errors).toEqual([
      expect.stringMatching(/^\.claude\/settings\.json: .*outside the workspace/),
      expect.stringMatching(/^\.claude\/settings\.local\.json: .*outside the workspace/),
    ]);
  });
});
