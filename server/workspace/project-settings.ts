// The project's settings files (.pincer/settings.json, .claude/settings.json, .claude/settings.local.json)
// as text, read host-side through the symlink-safe resolver. Permissions and hooks parse their parts.
import { readdir, readFile } from "node:fs/promises";
import { PROJECT_SETTINGS_FILES } from "../permissions/policy";
import { resolveWorkspacePath } from "./paths";

export type SettingsFileText = { file: string; text: string };

/**
 * The names in the workspace's root, or null when it cannot be listed. Every tool call reads the
 * settings files three times (hooks before and after it, the permission gate); most workspaces have
 * no .pincer or .claude, and one readdir says so where resolving each file takes five calls.
 */
const rootNames = (workspaceDir: string) => readdir(workspaceDir).then((names) => new Set(names), () => null);

export const readProjectSettingsFiles = async (workspaceDir: string): Promise<{ files: SettingsFileText[]; errors: string[] }> => {
  const files: SettingsFileText[] = [];
  const errors: string[] = [];
  const names = await rootNames(workspaceDir);
  for (const file of PROJECT_SETTINGS_FILES) {
    if (names && !names.has(file.slice(0, file.indexOf("/")))) continue;
    const text = await resolveWorkspacePath(workspaceDir, file)
      .then(({ hostPath }) => readFile(hostPath, "utf8"))
      .catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") errors.push(`${file}: ${error.message}`);
        return null;
      });
    if (text !== null) files.push({ file, text });
  }
  return { files, errors };
};
