// Line numbers inside one hunk, for commenting: the new-side range a hunk covers, the text of
// lines by number on either side, and the range a click (or shift-click) selects.

/** First and last new-side line a hunk covers ("@@ -a,b +c,d @@"). */
export function hunkLineRange(hunk: string): { first: number; last: number } {
  const match = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(hunk);
  const first = Number(match?.[1] ?? 1);
  const count = Number(match?.[2] ?? 1);
  return { first: Math.max(first, 1), last: Math.max(first + count - 1, first, 1) };
}

/** The new-side text of lines first..last (context and added lines) that fall in the hunk. */
export function hunkNewLines(hunk: string, first: number, last: number): string[] {
  return hunkSideLines(hunk, "new", first, last);
}

/** The text of lines first..last on one side: old = context and removed lines, new = context and added. */
export function hunkSideLines(hunk: string, side: "old" | "new", first: number, last: number): string[] {
  const match = /^@@ -(\d+)(?:,\d+)? \+(\d+)/.exec(hunk);
  const skipped = side === "new" ? "-" : "+";
  let number = Math.max(Number(match?.[side === "new" ? 2 : 1] ?? 1), 1);
  const picked: string[] = [];
  for (const line of hunk.split("\n").slice(1)) {
    if (line.startsWith(skipped) || line.startsWith("\\") || line === "") continue;
    if (number >= first && number <= last) picked.push(line.slice(1));
    number += 1;
  }
  return picked;
}

export type LineSelection = { side: "old" | "new"; line: number; endLine?: number };

/** A click on a line number selects it; a shift-click on the same side widens the selection to cover it. */
export function selectLines(current: LineSelection | null, clicked: { side: "old" | "new"; line: number }, extend: boolean): LineSelection {
  if (!extend || !current || current.side !== clicked.side) return { side: clicked.side, line: clicked.line };
  const first = Math.min(current.line, clicked.line);
  const last = Math.max(current.endLine ?? current.line, clicked.line);
  return last === first ? { side: clicked.side, line: first } : { side: clicked.side, line: first, endLine: last };
}
