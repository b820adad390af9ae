// "Accept": commit everything in the working tree on the current branch, inside the sandbox (the
// repository's own hooks are skipped). The default message is drafted from the changed files.
import type { DiffFile } from "../workspace/diff-types";
import type { Sandbox } from "../sandbox/sandbox";
import { gitIdentityEnv, runSandboxGit } from "./sandbox-git";

export class NothingToCommitError extends Error {
  constructor() {
    super("Nothing to commit: the working tree matches HEAD.");
    this.name = "NothingToCommitError";
  }
}

const VERBS: Record<DiffFile["status"], string> = { added: "Add", modified: "Update", deleted: "Remove", renamed: "Rename" };

/** A subject line from the file list: "Add greeting.txt", "Update 3 files (a.ts, b.ts, c.ts)". */
export const draftCommitMessage = (files: Pick<DiffFile, "path" | "status">[]): string => {
  if (files.length === 0) return "Update files";
  const base = (path: string) => path.split("/").at(-1) ?? path;
  if (files.length === 1) return `${VERBS[files[0]!.status]} ${files[0]!.path}`;
  const statuses = new Set(files.map((file) => file.status));
  const verb = statuses.size === 1 ? VERBS[files[0]!.status] : "Update";
  const names = files.slice(0, 3).map((file) => base(file.path));
  const more = files.length > 3 ? `, and ${files.length - 3} more` : "";
  return `${verb} ${files.length} files (${names.join(", ")}${more})`;
};

// $1 = message. Prints the new commit and the branch (empty when detached).
const script = `
set -e
git config user.email >/dev/null || export GIT_AUTHOR_NAME="$PINCER_NAME" GIT_AUTHOR_EMAIL="$PINCER_EMAIL" GIT_COMMITTER_NAME="$PINCER_NAME" GIT_COMMITTER_EMAIL="$PINCER_EMAIL"
git add -A
if git diff --cached --quiet; then echo nothing-to-commit; exit 0; fi
git -c core.hooksPath=/dev/null commit -q --no-verify -F -
printf '%s %s\\n' "$(git rev-parse HEAD)" "$(git symbolic-ref -q --short HEAD || true)"
`;

export const commitWorkspace = async (sandbox: Sandbox, message: string): Promise<{ commit: string; branch: string }> => {
  const output = await runSandboxGit(sandbox, {
    script,
    stdin: message.endsWith("\n") ? message : `${message}\n`,
    env: { PINCER_NAME: gitIdentityEnv.GIT_AUTHOR_NAME, PINCER_EMAIL: gitIdentityEnv.GIT_AUTHOR_EMAIL },
    what: "Committing",
  });
  if (output.includes("nothing-to-commit")) throw new NothingToCommitError();
  const [commit = "", branch = ""] = output.trim().split(" ");
  return { commit, branch };
};
