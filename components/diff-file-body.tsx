"use client";
// The heavy half of the diff view: one file's patch drawn by @git-diff-view/react with shiki
// highlighting. diff-view.tsx loads this module lazily (next/dynamic), so the viewer's ~1 MB stays
// out of pages that never show a diff.

import "@git-diff-view/react/styles/diff-view-pure.css";
import { DiffModeEnum, DiffView as GitDiffView } from "@git-diff-view/react";
import { Component, useEffect, useMemo, useState, type MouseEvent, type ReactNode } from "react";
import { diffHighlighter, loadDiffLanguage } from "./diff-highlighter";

export type DiffFileBodyProps = {
  path: string;
  oldPath?: string;
  patch: string;
  language: string;
  mode: "unified" | "split";
  /** A line number was clicked (shift: extend the selection), for line comments. */
  onLineClick?: (line: ClickedLine, shift: boolean) => void;
};

export type ClickedLine = { side: "old" | "new"; line: number };

/**
 * The line whose number was clicked, read from @git-diff-view's cells: unified rows hold an old
 * and a new number in one cell (the new one wins unless the old one itself was hit); split rows
 * have one number cell per side.
 */
export const clickedLineAt = (target: Element): ClickedLine | null => {
  const numberOf = (element: Element | null, attribute: string) => {
    const line = Number(element?.getAttribute(attribute));
    return Number.isInteger(line) && line > 0 ? line : null;
  };
  const splitCell = target.closest("td.diff-line-old-num, td.diff-line-new-num");
  if (splitCell) {
    const line = numberOf(splitCell.querySelector("[data-line-num]"), "data-line-num");
    return line ? { side: splitCell.classList.contains("diff-line-old-num") ? "old" : "new", line } : null;
  }
  const cell = target.closest("td.diff-line-num");
  if (!cell) return null;
  const oldHit = numberOf(target.closest("[data-line-old-num]"), "data-line-old-num");
  const newLine = numberOf(cell.querySelector("[data-line-new-num]"), "data-line-new-num");
  const oldLine = numberOf(cell.querySelector("[data-line-old-num]"), "data-line-old-num");
  if (oldHit && !newLine) return { side: "old", line: oldHit };
  if (newLine) return { side: "new", line: newLine };
  return oldLine ? { side: "old", line: oldLine } : null;
};

export default function DiffFileBody({ path, oldPath, patch, language, mode, onLineClick }: DiffFileBodyProps) {
  const [highlight, setHighlight] = useState<"loading" | "shiki" | "fallback">("loading");

  useEffect(() => {
    let cancelled = false;
    loadDiffLanguage(language).then(
      (loaded) => !cancelled && setHighlight(loaded ? "shiki" : "fallback"),
      () => !cancelled && setHighlight("fallback"),
    );
    return () => {
      cancelled = true;
    };
  }, [language]);

  const data = useMemo(
    () => ({
      oldFile: { fileName: oldPath ?? path, fileLang: language },
      newFile: { fileName: path, fileLang: language },
      hunks: [patch],
    }),
    [path, oldPath, patch, language],
  );

  if (highlight === "loading") return <PlainPatch patch={patch} />;
  const onClick = (event: MouseEvent<HTMLDivElement>) => {
    const line = onLineClick && event.target instanceof Element ? clickedLineAt(event.target) : null;
    if (!line) return;
    // Shift-click would otherwise select the text between the two clicks.
    window.getSelection()?.removeAllRanges();
    onLineClick?.(line, event.shiftKey);
  };
  return (
    <PatchErrorBoundary fallback={<PlainPatch patch={patch} />}>
      <div onClick={onClick} data-line-comments={onLineClick ? "true" : undefined}>
      <GitDiffView
        data={data}
        registerHighlighter={highlight === "shiki" ? diffHighlighter : undefined}
        diffViewMode={mode === "split" ? DiffModeEnum.Split : DiffModeEnum.Unified}
        diffViewTheme="dark"
        diffViewHighlight
        diffViewWrap={false}
        diffViewFontSize={12.5}
      />
      </div>
    </PatchErrorBoundary>
  );
}

/** The raw patch, coloured by line kind: shown while the grammar loads and if the viewer fails. */
function PlainPatch({ patch }: { patch: string }) {
  const lines = patch.split("\n");
  const start = lines.findIndex((line) => line.startsWith("@@"));
  return (
    <pre className="overflow-x-auto bg-card py-1 font-mono text-[12.5px] leading-5">
      {lines.slice(Math.max(0, start)).map((line, index) => (
        <div key={index} className={`px-3 ${plainLineClass(line)}`}>
          {line || " "}
        </div>
      ))}
    </pre>
  );
}

const plainLineClass = (line: string): string => {
  if (line.startsWith("@@")) return "bg-info/10 text-muted-foreground";
  if (line.startsWith("+")) return "bg-success/10 text-foreground";
  if (line.startsWith("-")) return "bg-danger/10 text-foreground";
  return "text-foreground/80";
};

class PatchErrorBoundary extends Component<{ fallback: ReactNode; children: ReactNode }, { failed: boolean }> {
  state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  componentDidCatch(error: unknown) {
    // The viewer could not parse this patch (e.g. cut mid-hunk); the plain view still shows it.
    console.warn("diff viewer failed, showing the plain patch", error);
  }
  render() {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}
