// Line numbers inside one hunk, for commenting: the new-side range a hunk covers and the text of
// new-side lines by number.

/** First and last new-side line a hunk covers ("@@ -a,b +c,d @@"). */
export function hunkLineRange(hunk: string): { first: number; last: number } {
  const match = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(hunk);
  const first = Number(match?.[1] ?? 1);
  const count = Number(match?.[2] ?? 1);
  return { first: Math.max(first, 1), last: Math.max(first + count - 1, first, 1) };
}

/** The new-side text of lines first..last (context and added lines) that fall in the hunk. */
export function hunkNewLines(hunk: string, first: number, last: number): string[] {
  const lines = hunk.split("\n");
  let number = hunkLineRange(hunk).first;
  const picked: string[] = [];
  for (const line of lines.slice(1)) {
    if (line.startsWith("-") || line.startsWith("\\") || line === "") continue;
    if (number >= first && number <= last) picked.push(line.slice(1));
    number += 1;
  }
  return picked;
}
