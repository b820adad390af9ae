"use client";
// The heavy half of the diff view: one file's patch drawn by @git-diff-view/react with shiki
// highlighting. diff-view.tsx loads this module lazily (next/dynamic), so the viewer's ~1 MB stays
// out of pages that never show a diff.

import "@git-diff-view/react/styles/diff-view-pure.css";
import { DiffModeEnum, DiffView as GitDiffView } from "@git-diff-view/react";
import { Component, useEffect, useMemo, useState, type ReactNode } from "react";
import { diffHighlighter, loadDiffLanguage } from "./diff-highlighter";

export type DiffFileBodyProps = {
  path: string;
  oldPath?: string;
  patch: string;
  language: string;
  mode: "unified" | "split";
};

export default function DiffFileBody({ path, oldPath, patch, language, mode }: DiffFileBodyProps) {
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
  return (
    <PatchErrorBoundary fallback={<PlainPatch patch={patch} />}>
      <GitDiffView
        data={data}
        registerHighlighter={highlight === "shiki" ? diffHighlighter : undefined}
        diffViewMode={mode === "split" ? DiffModeEnum.Split : DiffModeEnum.Unified}
        diffViewTheme="dark"
        diffViewHighlight
        diffViewWrap={false}
        diffViewFontSize={12.5}
      />
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
