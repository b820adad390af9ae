"use client";
// The review view of a workspace diff: a file list with +/- counts, then each file's patch.
// Patches mount only when scrolled near (a 2,000-file diff must show its list at once), big
// files stay collapsed until asked for, and the viewer itself is loaded lazily.

import dynamic from "next/dynamic";
import { useEffect, useRef, useState } from "react";
import type { DiffFile, DiffFileStatus, WorkspaceDiff } from "@/server/workspace/diff-types";
import { languageForPath } from "./file-language";
import { diffTotals, fileBodyKind, isLargeDiffFile, patchRowCount } from "./diff-summary";
import { DiffHunks, type DiffReviewActions } from "./diff-hunks";

export type { DiffReviewActions } from "./diff-hunks";

export type DiffViewProps = {
  diff: WorkspaceDiff;
  /** Review mode: per-hunk comment and revert buttons, a revert-file button, patches loaded on demand. */
  review?: DiffReviewActions;
  /** Shown in the header instead of "since <base>". */
  scopeLabel?: string;
};

const FIRST_SECTIONS = 30;
const SECTION_BATCH = 60;
const FIRST_LIST_ROWS = 100;
const LIST_BATCH = 300;
export type DiffMode = "unified" | "split";

const DiffFileBody = dynamic(() => import("./diff-file-body"), {
  ssr: false,
  loading: () => <div className="h-16 animate-pulse bg-card" />,
});

const STATUS_BADGE: Record<DiffFileStatus, { letter: string; className: string; title: string }> = {
  added: { letter: "A", className: "text-success border-success/40 bg-success/10", title: "added" },
  modified: { letter: "M", className: "text-warning border-warning/40 bg-warning/10", title: "modified" },
  deleted: { letter: "D", className: "text-danger border-danger/40 bg-danger/10", title: "deleted" },
  renamed: { letter: "R", className: "text-info border-info/40 bg-info/10", title: "renamed" },
};

export function DiffView({ diff, review, scopeLabel }: DiffViewProps) {
  const [mode, setMode] = useState<DiffMode>("unified");
  const totals = diffTotals(diff.files);
  const hasPatches = diff.files.some((file) => fileBodyKind(file) === "patch");
  // Thousands of files would take seconds to render at once: sections are added in batches as the
  // reader scrolls down, and picking a file in the list renders up to it.
  const [shown, setShown] = useState(FIRST_SECTIONS);
  const [scrollTarget, setScrollTarget] = useState<{ index: number } | null>(null);
  const showFile = (index: number) => {
    setShown((count) => Math.max(count, index + 1));
    setScrollTarget({ index });
  };
  useEffect(() => {
    if (scrollTarget === null) return;
    const scroll = () => document.getElementById(fileAnchor(scrollTarget.index))?.scrollIntoView({ block: "start" });
    scroll();
    // Files mounting around the target change heights once; land on it again after they settle.
    const timer = setTimeout(scroll, 200);
    return () => clearTimeout(timer);
  }, [scrollTarget]);

  // Start fetching the viewer as soon as there is something for it to show.
  useEffect(() => {
    if (hasPatches) void import("./diff-file-body");
  }, [hasPatches]);

  if (diff.files.length === 0) {
    return (
      <div data-testid="diff-panel" data-files="0" className="pincer-diff rounded-lg border border-border bg-card p-8 text-center text-muted-foreground">
        No changes yet
      </div>
    );
  }

  return (
    <div data-testid="diff-panel" data-files={diff.files.length} className="pincer-diff flex min-w-0 flex-col gap-3">
      <div className="flex items-center gap-3 text-sm">
        <span className="font-medium text-foreground">
          {diff.files.length} {diff.files.length === 1 ? "file" : "files"} changed
        </span>
        <span className="font-mono text-xs text-success">+{totals.additions}</span>
        <span className="font-mono text-xs text-danger">-{totals.deletions}</span>
        {scopeLabel && <span className="truncate text-xs text-muted-foreground" data-testid="diff-scope-label">{scopeLabel}</span>}
        {!scopeLabel && diff.baseCommit && (
          <span className="truncate font-mono text-xs text-muted-foreground" title={diff.baseCommit}>
            since {diff.baseCommit.slice(0, 8)}
          </span>
        )}
        <ModeToggle mode={mode} onChange={setMode} />
      </div>

      <FileList files={diff.files} onSelect={showFile} />

      <div className="flex flex-col gap-3">
        {diff.files.slice(0, shown).map((file, index) => (
          <FileSection key={`${file.oldPath ?? ""}->${file.path}:${file.patch.length}`} file={file} anchor={fileAnchor(index)} mode={mode} review={review} />
        ))}
        {shown < diff.files.length && (
          <ShowMore key={shown} remaining={diff.files.length - shown} onShow={() => setShown((count) => count + SECTION_BATCH)} />
        )}
      </div>
    </div>
  );
}

export default DiffView;

function ModeToggle({ mode, onChange }: { mode: DiffMode; onChange: (mode: DiffMode) => void }) {
  return (
    <div role="group" aria-label="Diff layout" className="ml-auto inline-flex overflow-hidden rounded-md border border-border text-xs">
      {(["unified", "split"] as const).map((option) => (
        <button
          key={option}
          type="button"
          data-testid={`diff-mode-${option}`}
          aria-pressed={mode === option}
          onClick={() => onChange(option)}
          className={`px-2.5 py-1 capitalize ${mode === option ? "bg-accent text-foreground" : "text-muted-foreground hover:text-foreground"}`}
        >
          {option}
        </button>
      ))}
    </div>
  );
}

function FileList({ files, onSelect }: { files: DiffFile[]; onSelect: (index: number) => void }) {
  const [shown, setShown] = useState(FIRST_LIST_ROWS);
  return (
    <ul
      data-testid="diff-file-list"
      onScroll={(event) => {
        const list = event.currentTarget;
        if (shown < files.length && list.scrollTop + list.clientHeight > list.scrollHeight - 200) setShown(shown + LIST_BATCH);
      }}
      className="max-h-64 overflow-auto rounded-lg border border-border bg-card py-1 text-[13px]"
    >
      {files.slice(0, shown).map((file, index) => (
        <li key={`${file.oldPath ?? ""}->${file.path}`}>
          <a
            href={`#${fileAnchor(index)}`}
            onClick={(event) => {
              event.preventDefault();
              onSelect(index);
            }}
            className="flex min-w-0 items-center gap-2 px-3 py-1 hover:bg-accent/60"
          >
            <StatusLetter status={file.status} />
            <FilePath file={file} />
            <Counts file={file} />
          </a>
        </li>
      ))}
    </ul>
  );
}

function FileSection({ file: listed, anchor, mode, review }: { file: DiffFile; anchor: string; mode: DiffMode; review?: DiffReviewActions }) {
  const large = isLargeDiffFile(listed);
  const [open, setOpen] = useState(!large);
  // A paged file list leaves most patches out: fetch this file's when it is opened and near.
  const [loaded, setLoaded] = useState<DiffFile | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const file = loaded ?? listed;
  const pending = Boolean(listed.patchOmitted) && !loaded;
  const body = pending ? "pending" : fileBodyKind(file);

  return (
    <section
      id={anchor}
      data-testid="diff-file"
      data-path={file.path}
      data-status={file.status}
      // Off-screen files skip layout entirely: with thousands of files, every viewer that mounts
      // would otherwise re-lay-out the whole list.
      style={{ contentVisibility: "auto", containIntrinsicSize: `auto ${estimatedHeight(file, open)}px` }}
      className="scroll-mt-2 overflow-hidden rounded-lg border border-border bg-card"
    >
      <button
        type="button"
        onClick={() => setOpen(!open)}
        aria-expanded={open}
        className="sticky top-0 z-10 flex w-full min-w-0 items-center gap-2 border-b border-border bg-card px-3 py-2 text-left text-[13px] hover:bg-accent/60"
      >
        <svg aria-hidden viewBox="0 0 16 16" className={`size-3.5 shrink-0 text-muted-foreground transition-transform ${open ? "rotate-90" : ""}`}>
          <path d="M6 4l4 4-4 4" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <StatusLetter status={file.status} />
        <FilePath file={file} />
        <Counts file={file} />
      </button>
      {review && (
        <div className="flex justify-end border-b border-border px-3 py-1">
          <button
            type="button"
            data-testid="revert-file"
            onClick={() => review.revertFile(file)}
            className="text-xs text-muted-foreground hover:text-danger"
          >
            Revert file
          </button>
        </div>
      )}
      {open && pending && review && (
        <WhenNearViewport placeholderHeight={120}>
          <LoadPatch file={listed} load={review.loadFile} onLoaded={setLoaded} onError={setLoadError} />
        </WhenNearViewport>
      )}
      {open && loadError && <Note>Could not load this file's diff: {loadError}</Note>}
      {open && body === "binary" && <Note>{file.additions + file.deletions === 0 && !file.patch ? "Binary or very large file changed (shown as binary)" : "Binary file changed"}</Note>}
      {open && body === "empty" && <Note>{file.status === "renamed" ? "File renamed without changes" : "No content changes"}</Note>}
      {open && body === "patch" && review && (
        <>
          <DiffHunks file={file} mode={mode} review={review} />
          {file.truncated && <Note>Patch truncated: this file's diff is too large to show in full.</Note>}
        </>
      )}
      {open && body === "patch" && !review && (
        <>
          <WhenNearViewport placeholderHeight={patchRowCount(file.patch) * ROW_PX}>
            <DiffFileBody path={file.path} oldPath={file.oldPath} patch={file.patch} language={languageForPath(file.path)} mode={mode} />
          </WhenNearViewport>
          {file.truncated && <Note>Patch truncated: this file's diff is too large to show in full.</Note>}
        </>
      )}
      {!open && large && (
        <button
          type="button"
          data-testid="diff-file-expand"
          onClick={() => setOpen(true)}
          className="w-full px-3 py-3 text-center text-xs text-muted-foreground hover:bg-accent/60 hover:text-foreground"
        >
          Large diff ({file.additions + file.deletions} changed lines) collapsed. Click to show.
        </button>
      )}
    </section>
  );
}

const HEADER_PX = 37;
const ROW_PX = 20;

const estimatedHeight = (file: DiffFile, open: boolean): number =>
  HEADER_PX + (open && fileBodyKind(file) === "patch" ? patchRowCount(file.patch) * ROW_PX : 44);

function StatusLetter({ status }: { status: DiffFileStatus }) {
  const badge = STATUS_BADGE[status];
  return (
    <span
      title={badge.title}
      className={`inline-flex size-[18px] shrink-0 items-center justify-center rounded border font-mono text-[11px] font-semibold ${badge.className}`}
    >
      {badge.letter}
    </span>
  );
}

function FilePath({ file }: { file: DiffFile }) {
  const slash = file.path.lastIndexOf("/");
  const dir = slash >= 0 ? file.path.slice(0, slash + 1) : "";
  const name = file.path.slice(slash + 1);
  return (
    <span className="min-w-0 flex-1 truncate font-mono text-[12.5px]" title={file.oldPath ? `${file.oldPath} → ${file.path}` : file.path}>
      {file.oldPath && file.oldPath !== file.path && <span className="text-muted-foreground">{file.oldPath} → </span>}
      <span className="text-muted-foreground">{dir}</span>
      <span className="text-foreground">{name}</span>
    </span>
  );
}

function Counts({ file }: { file: DiffFile }) {
  return (
    <span className="flex shrink-0 items-center gap-2 font-mono text-xs">
      {file.binary && <span className="rounded border border-border px-1 text-[11px] text-muted-foreground">binary</span>}
      <span data-testid="diff-additions" className="text-success">
        +{file.additions}
      </span>
      <span data-testid="diff-deletions" className="text-danger">
        -{file.deletions}
      </span>
    </span>
  );
}

/** Fetches one file's patch once (the placeholder mounts it when near the viewport). */
function LoadPatch({ file, load, onLoaded, onError }: { file: DiffFile; load: DiffReviewActions["loadFile"]; onLoaded: (file: DiffFile) => void; onError: (message: string) => void }) {
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    load(file).then(
      (loaded) => onLoaded(loaded ?? { ...file, patchOmitted: false }),
      (error: unknown) => onError(error instanceof Error ? error.message : String(error)),
    );
  }, [file, load, onLoaded, onError]);
  return <div data-testid="diff-file-loading" className="h-16 animate-pulse bg-card" />;
}

function Note({ children }: { children: React.ReactNode }) {
  return <p className="px-3 py-3 text-xs text-muted-foreground">{children}</p>;
}

/** True once the element has come within `margin` of the viewport (and stays true). */
function useNearViewport(ref: React.RefObject<HTMLElement | null>, margin: string): boolean {
  const [near, setNear] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element || near) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) setNear(true);
      },
      { rootMargin: `${margin} 0px` },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, margin, near]);
  return near;
}

/** Renders the next batch of files when scrolled near; a button for when observers are not enough. */
function ShowMore({ remaining, onShow }: { remaining: number; onShow: () => void }) {
  const ref = useRef<HTMLButtonElement>(null);
  const near = useNearViewport(ref, "600px");
  const shownOnce = useRef(false);
  useEffect(() => {
    if (!near || shownOnce.current) return;
    shownOnce.current = true;
    onShow();
  }, [near, onShow]);
  return (
    <button
      ref={ref}
      type="button"
      onClick={onShow}
      className="rounded-lg border border-dashed border-border py-3 text-xs text-muted-foreground hover:text-foreground"
    >
      {remaining} more {remaining === 1 ? "file" : "files"}
    </button>
  );
}

/** Mounts children once the box comes near the viewport, and keeps them mounted. */
function WhenNearViewport({ children, placeholderHeight }: { children: React.ReactNode; placeholderHeight: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const near = useNearViewport(ref, "400px");
  if (near) return <>{children}</>;
  // Reserve roughly the patch's height so the scrollbar and anchors stay put while files mount.
  return <div ref={ref} style={{ height: placeholderHeight }} className="bg-card" />;
}

const fileAnchor = (index: number): string => `diff-file-${index}`;
