// Splits one file's unified diff into its header and hunks (shared by the server's hunk revert and
// the diff view's revert buttons, so both count hunks the same way).

/** header: everything before the first "@@"; hunks: each from its "@@" line, newline-terminated. */
export const splitPatch = (patch: string): { header: string; hunks: string[] } => {
  const lines = patch.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const first = lines.findIndex((line) => line.startsWith("@@"));
  if (first < 0) return { header: patch, hunks: [] };
  const header = lines.slice(0, first).map((line) => `${line}\n`).join("");
  const hunks: string[] = [];
  for (const line of lines.slice(first)) {
    if (line.startsWith("@@")) hunks.push("");
    hunks[hunks.length - 1] += `${line}\n`;
  }
  return { header, hunks };
};

/** The "@@ -a,b +c,d @@" lines of a patch, in order. */
export const hunkHeaders = (patch: string): string[] => splitPatch(patch).hunks.map((hunk) => hunk.split("\n", 1)[0]!);
