import { execFileSync } from "node:child_process";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeFileToolContext } from "./file-tools.test-helpers";
import { makePdf } from "./pdf-text.test-helpers";
import { readTool } from "./read";

// A 1x1 transparent PNG.
const tinyPng = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");

describe("Read tool", () => {
  it("returns numbered lines and records the read", async () => {
    const { workspaceDir, context } = await makeFileToolContext();
    await writeFile(path.join(workspaceDir, "a.txt"), "first\nsecond\n");
    const result = await readTool.run({ file_path: "/workspace/a.txt" }, context);
    expect(result.output).toBe("     1\tfirst\n     2\tsecond");
    expect(context.readFiles.has(path.join(workspaceDir, "a.txt"))).toBe(true);
  });

  it("gives every one of many concurrent Reads its own file's text (read buffers are reused)", async () => {
    const { workspaceDir, context } = await makeFileToolContext();
    // Files over 1 MiB take a second read and an output larger than a scratch buffer's read half.
    const sizes = { small: 10, medium: 700, large: 1300 };
    const expected: Record<string, string> = {};
    for (const [name, lineCount] of Object.entries(sizes)) {
      const lines = Array.from({ length: lineCount }, (_, i) => `${name} ${i + 1} ${"é".repeat(400)}`);
      await writeFile(path.join(workspaceDir, `${name}.txt`), `${lines.join("\n")}\n`);
      expected[name] = lines
        .slice(0, 2000)
        .map((line, i) => `${String(i + 1).padStart(6)}\t${line}`)
        .join("\n");
    }
    const names = Array.from({ length: 24 }, (_, i) => Object.keys(sizes)[i % 3]!);
    const results = await Promise.all(names.map((name) => readTool.run({ file_path: `${name}.txt` }, context)));
    results.forEach((result, i) => expect(result.output).toBe(expected[names[i]!]));
  });

  it("honours offset and limit and cuts long lines", async () => {
    const { workspaceDir, context } = await makeFileToolContext();
    const lines = Array.from({ length: 3000 }, (_, i) => (i === 4 ? "x".repeat(5000) : `line ${i + 1}`));
    await writeFile(path.join(workspaceDir, "big.txt"), lines.join("\n"));
    const all = await readTool.run({ file_path: "big.txt" }, context);
    expect(all.output).toContain("(showing lines 1-2000 of 3000; use offset to read more)");
    expect(all.output).toContain("[line cut, 5000 characters]");
    const part = await readTool.run({ file_path: "big.txt", offset: 2999, limit: 5 }, context);
    expect(part.output).toBe("  2999\tline 2999\n  3000\tline 3000");
    await expect(readTool.run({ file_path: "big.txt", offset: 4000 }, context)).rejects.toThrow(/has 3000 lines; offset 4000 is past the end/);
  });

  it("returns images as images and PDFs as their text", async () => {
    const { workspaceDir, context } = await makeFileToolContext();
    await writeFile(path.join(workspaceDir, "dot.png"), tinyPng);
    const image = await readTool.run({ file_path: "dot.png" }, context);
    expect(image.output).toBe(`/workspace/dot.png: PNG image, ${tinyPng.length} bytes (shown to you as an image).`);
    expect(image.images).toEqual([{ mediaType: "image/png", base64: tinyPng.toString("base64") }]);
    expect(context.readFiles.has(path.join(workspaceDir, "dot.png"))).toBe(true);

    await writeFile(path.join(workspaceDir, "doc.pdf"), makePdf(["Quarterly report", "Totals: 42"]));
    const pdf = await readTool.run({ file_path: "doc.pdf" }, context);
    expect(pdf.output).toBe("/workspace/doc.pdf: PDF, 2 pages\n\n--- page 1 ---\nQuarterly report\n\n--- page 2 ---\nTotals: 42");
    expect(pdf.metadata).toMatchObject({ pdf: true, pages: 2, extracted: true });

    await writeFile(path.join(workspaceDir, "broken.pdf"), "%PDF-1.4 not really");
    const broken = await readTool.run({ file_path: "broken.pdf" }, context);
    expect(broken.output).toMatch(/^\/workspace\/broken.pdf: PDF, 19 bytes; text extraction failed/);
  });

  it("describes binary files instead of dumping them", async () => {
    const { workspaceDir, context } = await makeFileToolContext();
    await writeFile(path.join(workspaceDir, "img.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
    const result = await readTool.run({ file_path: "img.png" }, context);
    // Too short to be a whole image: described, not sent to the model as one.
    expect(result.output).toBe("/workspace/img.png is a binary file (12 bytes, PNG image); its contents are not shown.");
    expect(result.images).toBeUndefined();
  });

  it("gives clear errors for missing files, directories and paths outside", async () => {
    const { workspaceDir, context } = await makeFileToolContext();
    await mkdir(path.join(workspaceDir, "dir"));
    await symlink("/etc/passwd", path.join(workspaceDir, "passwd"));
    await expect(readTool.run({ file_path: "nope.txt" }, context)).rejects.toThrow("File /workspace/nope.txt does not exist.");
    await expect(readTool.run({ file_path: "dir" }, context)).rejects.toThrow(/is a directory/);
    await expect(readTool.run({ file_path: "/etc/passwd" }, context)).rejects.toThrow("Path /etc/passwd is outside the workspace /workspace");
    await expect(readTool.run({ file_path: "passwd" }, context)).rejects.toThrow(/outside the workspace/);
  });

  it("numbers lines across read chunks, keeps UTF-8 intact and drops the \\r of CRLF", async () => {
    const { workspaceDir, context } = await makeFileToolContext();
    // ~3 MiB, so lines (multi-byte ones too) straddle the 1 MiB read chunks.
    const lines = Array.from({ length: 40_000 }, (_, i) => `${i + 1} ${"é€😀".repeat(i % 7)} ${"y".repeat(i % 97)}`);
    // 1500 three-byte characters: over 2000 bytes but not over 2000 characters, so not cut.
    lines[25_000] = "€".repeat(1500);
    await writeFile(path.join(workspaceDir, "wide.txt"), `${lines.join("\r\n")}\r\n`);
    const expected = (from: number, count: number) =>
      lines
        .slice(from - 1, from - 1 + count)
        .map((line, i) => `${String(from + i).padStart(6)}\t${line}`)
        .join("\n");
    const middle = await readTool.run({ file_path: "wide.txt", offset: 24_990, limit: 20 }, context);
    expect(middle.output).toBe(`${expected(24_990, 20)}\n\n(showing lines 24990-25009 of 40000; use offset to read more)`);
    const end = await readTool.run({ file_path: "wide.txt", offset: 39_999 }, context);
    expect(end.output).toBe(expected(39_999, 2));
    expect(end.metadata).toMatchObject({ lines: 2, totalLines: 40_000 });
  });

  it("refuses a FIFO at once instead of waiting for a writer", async () => {
    const { workspaceDir, context } = await makeFileToolContext();
    execFileSync("mkfifo", [path.join(workspaceDir, "pipe")]);
    await expect(readTool.run({ file_path: "pipe" }, context)).rejects.toThrow("/workspace/pipe is not a regular file.");
  });

  it("says when a file is empty", async () => {
    const { workspaceDir, context } = await makeFileToolContext();
    await writeFile(path.join(workspaceDir, "empty"), "");
    expect((await readTool.run({ file_path: "empty" }, context)).output).toBe("(/workspace/empty is empty)");
  });
});
