"use client";
// Design preview of the shared components with sample data (/dev/components). Not linked from the app.

import { useEffect, useState } from "react";
import type { WorkspaceDiff } from "@/server/workspace/diff-types";
import { DiffView } from "@/components/diff-view";
import { Markdown } from "@/components/markdown";
import { StatusBadge } from "@/components/status-badge";
import { Terminal } from "@/components/terminal";
import { ToolCall } from "@/components/tool-call";

const SAMPLE_MARKDOWN = `I found the bug: \`parseRange\` treats an **inclusive** end as exclusive, so the last line is dropped.

### The fix

\`\`\`ts
export function parseRange(spec: string): [number, number] {
  const [start, end] = spec.split("-").map(Number);
  // end is inclusive in the CLI syntax
  return [start, end + 1];
}
\`\`\`

Then I ran the tests:

| suite | before | after |
|---|---|---|
| range.test.ts | 3 failed | all passed |
| cli.test.ts | passed | passed |

1. Fixed the off-by-one in \`src/range.ts\`
2. Added a regression test
   - covers single-line ranges
   - covers open-ended ranges

> Note: the CLI docs already described the inclusive behaviour.

See [the docs](https://example.com/docs) for details.`;

const STREAMING_TARGET = `Let me look at the failing test first.

\`\`\`bash
npm test -- range
\`\`\`

The output shows \`expected [1, 4] to equal [1, 5]\`, which means the end of the range is`;

const patch = (path: string, body: string, header = "index 3b18e51..a9c2f10 100644") =>
  `diff --git a/${path} b/${path}\n${header}\n--- a/${path}\n+++ b/${path}\n${body}`;

const SAMPLE_DIFF: WorkspaceDiff = {
  baseCommit: "9f2c4e1a7b3d5e6f8a9b0c1d2e3f4a5b6c7d8e9f",
  files: [
    {
      path: "src/range.ts",
      status: "modified",
      additions: 3,
      deletions: 1,
      binary: false,
      truncated: false,
      patch: patch(
        "src/range.ts",
        `@@ -1,8 +1,10 @@
 // Parses "a-b" line ranges from the command line.
 export function parseRange(spec: string): [number, number] {
   const [start, end] = spec.split("-").map(Number);
-  return [start, end];
+  if (Number.isNaN(start)) throw new Error(\`bad range: \${spec}\`);
+  // end is inclusive in the CLI syntax
+  return [start, end + 1];
 }
 
 export const wholeFile: [number, number] = [1, Infinity];
`,
      ),
    },
    {
      path: "src/range.test.ts",
      status: "added",
      additions: 6,
      deletions: 0,
      binary: false,
      truncated: false,
      patch: `diff --git a/src/range.test.ts b/src/range.test.ts
new file mode 100644
index 0000000..4d1e2f3
--- /dev/null
+++ b/src/range.test.ts
@@ -0,0 +1,6 @@
+import { expect, it } from "vitest";
+import { parseRange } from "./range";
+
+it("includes the end line", () => {
+  expect(parseRange("1-4")).toEqual([1, 5]);
+});
`,
    },
    {
      path: "scripts/old_setup.py",
      status: "deleted",
      additions: 0,
      deletions: 3,
      binary: false,
      truncated: false,
      patch: `diff --git a/scripts/old_setup.py b/scripts/old_setup.py
deleted file mode 100644
index 8a1b2c3..0000000
--- a/scripts/old_setup.py
+++ /dev/null
@@ -1,3 +0,0 @@
-import sys
-def main():
-    print("setup", sys.argv)
`,
    },
    {
      path: "docs/usage.md",
      oldPath: "README-usage.md",
      status: "renamed",
      additions: 0,
      deletions: 0,
      binary: false,
      truncated: false,
      patch: "diff --git a/README-usage.md b/docs/usage.md\nsimilarity index 100%\nrename from README-usage.md\nrename to docs/usage.md\n",
    },
    {
      path: "assets/logo.png",
      status: "modified",
      additions: 0,
      deletions: 0,
      binary: true,
      truncated: false,
      patch: "",
    },
    {
      path: "data/fixtures.json",
      status: "modified",
      additions: 420,
      deletions: 380,
      binary: false,
      truncated: true,
      patch: patch(
        "data/fixtures.json",
        `@@ -1,4 +1,4 @@\n {\n-  "version": 1,\n+  "version": 2,\n   "items": [\n`,
      ),
    },
  ],
};

export default function ComponentsPreviewPage() {
  const [streamed, setStreamed] = useState("");
  // The terminal needs a live socket: /dev/components?terminal=ws://host:port/path shows one.
  const [terminalUrl, setTerminalUrl] = useState<string | null>(null);
  // ?bigdiff=2000 renders a synthetic diff of that many files, to feel (and time) a large review.
  const [bigDiff, setBigDiff] = useState<WorkspaceDiff | null>(null);
  useEffect(() => {
    const params = new URLSearchParams(window.location.search);
    setTerminalUrl(params.get("terminal"));
    const files = Number(params.get("bigdiff") ?? 0);
    if (files > 0) setBigDiff(syntheticDiff(files));
  }, []);
  useEffect(() => {
    const timer = setInterval(() => {
      setStreamed((text) => (text.length >= STREAMING_TARGET.length ? text : STREAMING_TARGET.slice(0, text.length + 6)));
    }, 40);
    return () => clearInterval(timer);
  }, []);

  if (bigDiff) {
    return (
      <main className="mx-auto flex max-w-5xl flex-col gap-10 px-6 py-8">
        <DiffView diff={bigDiff} />
      </main>
    );
  }

  return (
    <main className="mx-auto flex max-w-5xl flex-col gap-10 px-6 py-8">
      <h1 className="text-lg font-semibold">Component preview</h1>

      <Section title="Status badge">
        <div className="flex gap-2">
          <StatusBadge status="idle" />
          <StatusBadge status="running" />
          <StatusBadge status="error" />
          <StatusBadge status="stopped" />
        </div>
      </Section>

      <Section title="Tool calls">
        <div className="flex flex-col gap-2">
          <ToolCall name="Bash" input={{ command: "npm test -- range" }} status="pending" />
          <ToolCall
            name="Bash"
            input={{ command: "npm run build && npm test" }}
            status="running"
            liveOutput={"> pincer@0.1.0 build\n> next build\n\n   ▲ Next.js 16\n   Creating an optimized production build ..."}
          />
          <ToolCall
            name="Read"
            input={{ file_path: "/workspace/src/range.ts", offset: 1, limit: 40 }}
            status="done"
            durationMs={4}
            output={"     1\t// Parses \"a-b\" line ranges from the command line.\n     2\texport function parseRange(spec: string) {"}
          />
          <ToolCall
            name="Edit"
            input={{
              file_path: "/workspace/src/range.ts",
              old_string: "  return [start, end];",
              new_string: "  // end is inclusive in the CLI syntax\n  return [start, end + 1];",
            }}
            status="done"
            durationMs={12}
            output="The file /workspace/src/range.ts has been updated."
          />
          <ToolCall
            name="Bash"
            input={{ command: "npx tsc --noEmit -p ." }}
            status="error"
            durationMs={3240}
            metadata={{ exitCode: 2 }}
            output={"src/range.ts(4,10): error TS2322: Type 'number[]' is not assignable to type '[number, number]'.\n  Target requires 2 element(s) but source may have fewer."}
          />
          <ToolCall name="mcp__github__search_issues" input={{ query: "off by one range", limit: 5 }} status="done" durationMs={812} output="3 issues found" />
        </div>
      </Section>

      <Section title="Markdown (final)">
        <Markdown text={SAMPLE_MARKDOWN} />
      </Section>

      <Section title="Markdown (streaming)">
        <Markdown text={streamed} streaming={streamed.length < STREAMING_TARGET.length} />
      </Section>

      <Section title="Diff">
        <DiffView diff={SAMPLE_DIFF} />
      </Section>

      {terminalUrl && (
        <Section title="Terminal">
          <div className="h-64">
            <Terminal wsUrl={terminalUrl} />
          </div>
        </Section>
      )}

      <Section title="Diff (empty)">
        <DiffView diff={{ baseCommit: "9f2c4e1a", files: [] }} />
      </Section>
    </main>
  );
}

function syntheticDiff(count: number): WorkspaceDiff {
  const files = Array.from({ length: count }, (_, index) => {
    const path = `src/module-${Math.floor(index / 50)}/file-${index}.ts`;
    return {
      path,
      status: "modified" as const,
      additions: 2,
      deletions: 1,
      binary: false,
      truncated: false,
      patch: patch(path, `@@ -1,3 +1,4 @@\n export const id = ${index};\n-export const name = "old";\n+export const name = "new";\n+export const touched = true;\n export default id;\n`),
    };
  });
  return { baseCommit: "0000000000", files };
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="flex flex-col gap-3">
      <h2 className="text-xs font-semibold uppercase tracking-wider text-muted-foreground">{title}</h2>
      {children}
    </section>
  );
}
