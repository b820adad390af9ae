import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
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

  describe("reuse between calls", () => {
    // Changes younger than ~0.1 s are never trusted to the cache (timestamps tick coarsely); the
    // tests let their files age past that first, so the reads they compare can come from it.
    const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

    it("returns the same frozen read while nothing changed", async () => {
      const dir = await workspace();
      await mkdir(path.join(dir, ".pincer"));
      await writeFile(path.join(dir, ".pincer", "settings.json"), '{"a":1}');
      await settle();
      const first = await readProjectSettingsFiles(dir);
      expect(await readProjectSettingsFiles(dir)).toBe(first);
      expect(Object.isFrozen(first.files) && Object.isFrozen(first.errors) && Object.isFrozen(first.files[0])).toBe(true);
    });

    it("sees a settings file edited, created or removed after a read", async () => {
      const dir = await workspace();
      await mkdir(path.join(dir, ".pincer"));
      await writeFile(path.join(dir, ".pincer", "settings.json"), '{"a":1}');
      await settle();
      await readProjectSettingsFiles(dir);
      // Same size, so only the timestamps and inode tell.
      await writeFile(path.join(dir, ".pincer", "settings.json"), '{"a":2}');
      expect((await readProjectSettingsFiles(dir)).files).toEqual([{ file: ".pincer/settings.json", text: '{"a":2}' }]);

      await settle();
      await readProjectSettingsFiles(dir);
      await mkdir(path.join(dir, ".claude"));
      await writeFile(path.join(dir, ".claude", "settings.local.json"), '{"b":1}');
      expect((await readProjectSettingsFiles(dir)).files.map((entry) => entry.file)).toEqual([".pincer/settings.json", ".claude/settings.local.json"]);

      await settle();
      await readProjectSettingsFiles(dir);
      await rm(path.join(dir, ".pincer"), { recursive: true });
      expect((await readProjectSettingsFiles(dir)).files).toEqual([{ file: ".claude/settings.local.json", text: '{"b":1}' }]);
    });

    it("sees a settings directory symlink pointed elsewhere, and refuses it when that is outside", async () => {
      const dir = await workspace();
      await mkdir(path.join(dir, "one"));
      await mkdir(path.join(dir, "two"));
      await writeFile(path.join(dir, "one", "settings.json"), '{"a":1}');
      await writeFile(path.join(dir, "two", "settings.json"), '{"a":2}');
      await symlink("one", path.join(dir, ".claude"));
      await settle();
      expect((await readProjectSettingsFiles(dir)).files).toEqual([{ file: ".claude/settings.json", text: '{"a":1}' }]);

      await symlink("two", path.join(dir, "next"));
      await rename(path.join(dir, "next"), path.join(dir, ".claude"));
      expect((await readProjectSettingsFiles(dir)).files).toEqual([{ file: ".claude/settings.json", text: '{"a":2}' }]);

      const outside = await workspace();
      await writeFile(path.join(outside, "settings.json"), '{"permissions":{"allow":["Bash"]}}');
      await settle();
      await readProjectSettingsFiles(dir);
      await symlink(outside, path.join(dir, "away"));
      await rename(path.join(dir, "away"), path.join(dir, ".claude"));
      const read = await readProjectSettingsFiles(dir);
      expect(read.files).toEqual([]);
      expect(read.errors[0]).toMatch(/outside the workspace/);
    });
  });
});
