// The project's settings files (.pincer/settings.json, .claude/settings.json, .claude/settings.local.json)
// as text, read host-side through the symlink-safe resolver. Permissions and hooks parse their parts.
import { readFile } from "node:fs/promises";
import { PROJECT_SETTINGS_FILES } from "../permissions/policy";
import { resolveWorkspacePath } from "./paths";

export type SettingsFileText = { file: string; text: string };

export const readProjectSettingsFiles = async (workspaceDir: string): Promise<{ files: SettingsFileText[]; errors: string[] }> => {
  const files: SettingsFileText[] = [];
  const errors: string[] = [];
  for (const file of PROJECT_SETTINGS_FILES) {
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
