// Read: host-side read of a workspace file (via the bind mount, ~0.2 ms vs ~50 ms through docker
// exec), cat -n style, and remembers what was read for the read-before-write rule.
import { closeSync, constants, fstatSync, openSync, read, readFile } from "node:fs";
import { promisify } from "node:util";
import { z } from "zod";
import { resolveWorkspacePath } from "../workspace/paths";
import { recordRead } from "./file-state";
import { describePdf } from "./pdf-text";
import { readDescription } from "./read.description";
import { defineTool, ToolError, type ToolContext, type ToolOutput } from "./tool";
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

/** Bytes read per step: a typical source file in one read, a huge log without holding it all. */
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * Reused read and output buffers: a fresh 1 MiB buffer costs its page faults and, freed, pushes
 * the GC (together ~0.15 ms of a 1 MiB Read). A call takes its own and gives them back when its
 * text is decoded, so concurrent Reads never share one.
 */
const SCRATCH_BYTES = 2 * READ_CHUNK_BYTES;
class ScratchBuffers {
  private readonly taken: ArrayBuffer[] = [];
  private static readonly pool: ArrayBuffer[] = [];
  private static readonly MAX_POOLED = 4;

  /** `size` bytes, from the pool when they fit a scratch buffer. */
  take(size: number): Buffer {
    if (size > SCRATCH_BYTES) return Buffer.allocUnsafe(size);
    const memory = ScratchBuffers.pool.pop() ?? new ArrayBuffer(SCRATCH_BYTES);
    this.taken.push(memory);
    return Buffer.from(memory, 0, size);
  }

  /** Everything taken goes back: nothing may still point into it. */
  giveBack() {
    for (const memory of this.taken.splice(0)) {
      if (ScratchBuffers.pool.length < ScratchBuffers.MAX_POOLED) ScratchBuffers.pool.push(memory);
    }
  }
}

const cutLine = (line: string) => (line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}... [line cut, ${line.length} characters]` : line);

/**
 * cat -n over bytes: lines end at \n (a \r before it is dropped), lines offset..offset+limit-1 are
 * kept and the rest only counted. The kept lines are copied once into the output and decoded once
 * (they split at ASCII bytes, so that decodes exactly as line by line would).
 */
class NumberedLines {
  private readonly kept: Buffer[] = [];
  private partial: Buffer[] = [];
  lineCount = 0;

  constructor(
    private readonly offset: number,
    private readonly limit: number,
    private readonly scratch: ScratchBuffers,
  ) {}

  get shown() {
    return this.kept.length;
  }

  /** `bytes` must not be reused by the caller: kept lines point into it. */
  push(bytes: Buffer) {
    let start = 0;
    for (let newline = bytes.indexOf(10); newline !== -1; newline = bytes.indexOf(10, start)) {
      this.endLine(bytes.subarray(start, newline));
      start = newline + 1;
    }
    if (start < bytes.length) this.partial.push(bytes.subarray(start));
  }

  /** The last line when the file does not end with a newline. */
  end() {
    if (this.partial.length > 0) this.endLine(Buffer.alloc(0));
  }

  text() {
    const widest = Math.max(6, String(this.offset + this.kept.length).length);
    const size = this.kept.reduce((sum, line) => sum + line.length + widest + 2, 0);
    const out = this.scratch.take(size);
    let position = 0;
    // Byte stores and TypedArray#set rather than Buffer#write/#copy: two fewer native calls per line.
    for (let index = 0; index < this.kept.length; index++) {
      if (index > 0) out[position++] = 10;
      const number = String(this.offset + index);
      for (let pad = number.length; pad < 6; pad++) out[position++] = 32;
      for (let digit = 0; digit < number.length; digit++) out[position++] = number.charCodeAt(digit);
      out[position++] = 9;
      const line = this.kept[index]!;
      out.set(line, position);
      position += line.length;
    }
    return out.toString("utf8", 0, position);
  }

  private endLine(tail: Buffer) {
    this.lineCount++;
    const pieces = this.partial;
    this.partial = [];
    if (this.lineCount < this.offset || this.kept.length >= this.limit) return;
    let line = pieces.length === 0 ? tail : Buffer.concat([...pieces, tail]);
    if (line.at(-1) === 13) line = line.subarray(0, -1);
    // At most MAX_LINE_CHARS bytes is at most that many characters: no need to decode to check.
    this.kept.push(line.length <= MAX_LINE_CHARS ? line : Buffer.from(cutLine(line.toString("utf8"))));
  }
}

/** Numbers `head` (the file from byte 0) and the rest of the file up to the size it had at fstat. */
/**
 * An open file: opened, stat'ed and closed synchronously (microseconds on a local file; a
 * thread-pool round trip each when async), its contents read asynchronously (a large or cold read
 * must not hold up the server).
 */
type OpenFile = { fd: number; read(buffer: Buffer, position: number): Promise<number>; readAll(): Promise<Buffer> };
const readAt = promisify(read);
const readWhole = promisify(readFile);
const openFile = (fd: number): OpenFile => ({
  fd,
  read: async (buffer, position) => (await readAt(fd, buffer, 0, buffer.length, position)).bytesRead,
  readAll: () => readWhole(fd),
});

const numberLines = async (handle: OpenFile, head: Buffer, size: number, lines: NumberedLines, scratch: ScratchBuffers) => {
  lines.push(head);
  for (let position = head.length; position < size; ) {
    const chunk = scratch.take(Math.min(READ_CHUNK_BYTES, size - position));
    const bytesRead = await handle.read(chunk, position);
    if (bytesRead === 0) break;
    lines.push(chunk.subarray(0, bytesRead));
    position += bytesRead;
  }
  lines.end();
};

type ReadInput = { offset?: number; limit?: number };

const readOpenFile = async (handle: OpenFile, hostPath: string, sandboxPath: string, input: ReadInput, context: ToolContext): Promise<ToolOutput> => {
  const scratch = new ScratchBuffers();
  try {
    return await readWithScratch(handle, hostPath, sandboxPath, input, context, scratch);
  } finally {
    scratch.giveBack();
  }
};

const readWithScratch = async (
  handle: OpenFile,
  hostPath: string,
  sandboxPath: string,
  input: ReadInput,
  context: ToolContext,
  scratch: ScratchBuffers,
): Promise<ToolOutput> => {
  const stats = fstatSync(handle.fd);
  if (stats.isDirectory()) throw new ToolError(`${sandboxPath} is a directory, not a file. List it with Bash (ls).`);
  if (!stats.isFile()) throw new ToolError(`${sandboxPath} is not a regular file.`);

  const first = scratch.take(Math.min(stats.size, READ_CHUNK_BYTES));
  const bytesRead = await handle.read(first, 0);
  const head = first.subarray(0, bytesRead);
  // More than detectBinary samples, so it knows when a multi-byte character is cut at the sample's end.
  const sample = head.subarray(0, 16_000);
  recordRead(context.readFiles, hostPath, stats);
  const binaryType = guessBinaryType(sample);
  const mediaType = IMAGE_TYPES[binaryType];
  // A truncated image would make the provider reject the whole request: it is described instead.
  const plausibleImage = stats.size >= 32 && (binaryType !== "PNG image" || sample.subarray(12, 16).toString("latin1") === "IHDR");
  if (mediaType && plausibleImage && stats.size <= MAX_IMAGE_BYTES) {
    const bytes = await handle.readAll();
    return {
      output: `${sandboxPath}: ${binaryType}, ${stats.size} bytes (shown to you as an image).`,
      isError: false,
      images: [{ mediaType, base64: bytes.toString("base64") }],
      metadata: { path: sandboxPath, image: true, mediaType, size: stats.size },
    };
  }
  if (binaryType === "PDF document" && stats.size <= MAX_PDF_BYTES) {
    const pdf = await describePdf(await handle.readAll(), sandboxPath);
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
  const lines = new NumberedLines(offset, input.limit ?? DEFAULT_LIMIT, scratch);
  await numberLines(handle, head, stats.size, lines, scratch);
  const totalLines = lines.lineCount;
  if (offset > totalLines) {
    throw new ToolError(`${sandboxPath} has ${totalLines} lines; offset ${offset} is past the end.`);
  }
  const lastShown = offset + lines.shown - 1;
  const more = lastShown < totalLines ? `\n\n(showing lines ${offset}-${lastShown} of ${totalLines}; use offset to read more)` : "";
  return {
    output: lines.text() + more,
    isError: false,
    metadata: { path: sandboxPath, lines: lines.shown, totalLines, offset, size: stats.size },
  };
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
    // One open for stat and contents; O_NONBLOCK so that a FIFO is refused below, not waited on.
    let fd: number;
    try {
      fd = openSync(hostPath, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new ToolError(`File ${sandboxPath} does not exist.`);
      throw error;
    }
    try {
      return await readOpenFile(openFile(fd), hostPath, sandboxPath, input, context);
    } finally {
      closeSync(fd);
    }
  },
});
