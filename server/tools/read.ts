// Read: host-side read of a workspace file (via the bind mount, ~0.2 ms vs ~50 ms through docker
// exec), cat -n style, and remembers what was read for the read-before-write rule.
import { createReadStream } from "node:fs";
import { open, readFile, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { z } from "zod";
import { resolveWorkspacePath } from "../workspace/paths";
import { recordRead } from "./file-state";
import { describePdf } from "./pdf-text";
import { readDescription } from "./read.description";
import { defineTool, ToolError } from "./tool";
import { describeBinary, detectBinary, guessBinaryType, truncateOutput } from "./truncate";

const DEFAULT_LIMIT = 2000;
const MAX_LINE_CHARS = 2000;

/** Images the model can be shown, by detected type; larger ones are described instead. */
const IMAGE_TYPES: Record<string, string> = {
  "PNG image": "image/png",
  "JPEG image": "image/jpeg",
  "GIF image": "image/gif",
  "WebP image": "image/webp",
};
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const MAX_PDF_BYTES = 32 * 1024 * 1024;

const formatLine = (lineNumber: number, line: string) => {
  const text = line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}... [line cut, ${line.length} characters]` : line;
  return `${String(lineNumber).padStart(6)}\t${text}`;
};

export const readTool = defineTool({
  name: "Read",
  description: readDescription,
  inputSchema: z.object({
    file_path: z.string().min(1).describe("Path of the file, absolute under /workspace or relative to it"),
    offset: z.number().int().positive().optional().describe("1-based line number to start reading at"),
    limit: z.number().int().positive().optional().describe("Number of lines to read (default 2000)"),
  }),
  readOnly: true,
  permissionKey: (input) => input.file_path,
  run: async (input, context) => {
    const { hostPath, sandboxPath } = await resolveWorkspacePath(context.sandbox.hostWorkspaceDir, input.file_path).catch(
      (error: Error) => {
        throw new ToolError(error.message);
      },
    );
    const stats = await stat(hostPath).catch(() => null);
    if (!stats) throw new ToolError(`File ${sandboxPath} does not exist.`);
    if (stats.isDirectory()) throw new ToolError(`${sandboxPath} is a directory, not a file. List it with Bash (ls).`);
    if (!stats.isFile()) throw new ToolError(`${sandboxPath} is not a regular file.`);

    const handle = await open(hostPath, "r");
    const sample = Buffer.alloc(Math.min(stats.size, 8000));
    try {
      await handle.read(sample, 0, sample.length, 0);
    } finally {
      await handle.close();
    }
    recordRead(context.readFiles, hostPath, stats);
    const binaryType = guessBinaryType(sample);
    const mediaType = IMAGE_TYPES[binaryType];
    // A truncated image would make the provider reject the whole request: it is described instead.
    const plausibleImage = stats.size >= 32 && (binaryType !== "PNG image" || sample.subarray(12, 16).toString("latin1") === "IHDR");
    if (mediaType && plausibleImage && stats.size <= MAX_IMAGE_BYTES) {
      const bytes = await readFile(hostPath);
      return {
        output: `${sandboxPath}: ${binaryType}, ${stats.size} bytes (shown to you as an image).`,
        isError: false,
        images: [{ mediaType, base64: bytes.toString("base64") }],
        metadata: { path: sandboxPath, image: true, mediaType, size: stats.size },
      };
    }
    if (binaryType === "PDF document" && stats.size <= MAX_PDF_BYTES) {
      const pdf = await describePdf(await readFile(hostPath), sandboxPath);
      const bounded = truncateOutput(pdf.text, context.limits.maxOutputChars);
      return {
        output: bounded.text,
        isError: false,
        metadata: { path: sandboxPath, pdf: true, pages: pdf.pages, extracted: pdf.extracted, size: stats.size, truncated: bounded.truncated },
      };
    }
    if (detectBinary(sample)) {
      return {
        output: `${sandboxPath} is a binary file (${describeBinary(sample, stats.size)}); its contents are not shown.`,
        isError: false,
        metadata: { path: sandboxPath, binary: true, size: stats.size },
      };
    }
    if (stats.size === 0) {
      return { output: `(${sandboxPath} is empty)`, isError: false, metadata: { path: sandboxPath, lines: 0 } };
    }

    const offset = input.offset ?? 1;
    const limit = input.limit ?? DEFAULT_LIMIT;
    const lines: string[] = [];
    let lineNumber = 0;
    const reader = createInterface({ input: createReadStream(hostPath, { encoding: "utf8" }), crlfDelay: Infinity });
    for await (const line of reader) {
      lineNumber++;
      if (lineNumber < offset) continue;
      if (lines.length >= limit) continue; // keep counting lines for the summary
      lines.push(formatLine(lineNumber, line));
    }
    const totalLines = lineNumber;
    if (offset > totalLines) {
      throw new ToolError(`${sandboxPath} has ${totalLines} lines; offset ${offset} is past the end.`);
    }
    const lastShown = offset + lines.length - 1;
    const more = lastShown < totalLines ? `\n\n(showing lines ${offset}-${lastShown} of ${totalLines}; use offset to read more)` : "";
    return {
      output: lines.join("\n") + more,
      isError: false,
      metadata: { path: sandboxPath, lines: lines.length, totalLines, offset, size: stats.size },
    };
  },
});
