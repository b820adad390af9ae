// Test helper for Glob and Grep: a real sandbox whose workspace holds a small git-ignored tree.
import { mkdir, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { startTestSandbox } from "../sandbox/test-sandbox";
import { makeToolContext } from "./test-context";

export const startSearchSandbox = async () => {
  const env = await startTestSandbox();
  const files: Record<string, string> = {
    ".gitignore": "ignored/\n*.log\n",
    "src/app.ts": "export const app = () => 'Hello';\n// TODO: more\n",
    "src/util.ts": "export const add = (a: number, b: number) => a + b;\nexport const hello = 'hello';\n",
    "src/deep/nested.ts": "const hello = 1;\nconst two = 2;\nconst three = 3;\n",
    "README.md": "# Demo\nhello world\n",
    "notes.log": "hello from a log\n",
    "ignored/secret.ts": "hello ignored\n",
    ".config/settings.json": '{"hello": true}\n',
  };
  const now = Date.now() / 1000;
  let age = 0;
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(env.workspaceDir, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    // Distinct modification times, older in listing order, so "newest first" is testable.
    age += 100;
    await utimes(file, now - age, now - age);
  }
  await mkdir(path.join(env.workspaceDir, "bin"), { recursive: true });
  await writeFile(path.join(env.workspaceDir, "bin/blob.bin"), Buffer.from([0, 1, 2, 104, 101, 108, 108, 111, 0]));
  return { ...env, context: makeToolContext(env.sandbox) };
};
