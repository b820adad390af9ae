// Keeps tool output bounded for the model: long text keeps its head and tail with a note of what
// was cut, and binary data is recognised so it can be described instead of dumped.

export type TruncatedText = { text: string; truncated: boolean; cutChars: number };

/** Keeps about half of `maxChars` from the start and half from the end, cut at line breaks when near. */
export const truncateOutput = (text: string, maxChars: number): TruncatedText => {
  if (text.length <= maxChars) return { text, truncated: false, cutChars: 0 };
  const headChars = Math.floor(maxChars / 2);
  const tailChars = maxChars - headChars;
  let headEnd = headChars;
  const headBreak = text.lastIndexOf("\n", headEnd);
  if (headBreak > headChars - 200 && headBreak > 0) headEnd = headBreak + 1;
  let tailStart = text.length - tailChars;
  const tailBreak = text.indexOf("\n", tailStart);
  if (tailBreak !== -1 && tailBreak < tailStart + 200) tailStart = tailBreak + 1;
  const cutChars = tailStart - headEnd;
  return {
    text: `${text.slice(0, headEnd)}\n[... ${cutChars} characters cut ...]\n${text.slice(tailStart)}`,
    truncated: true,
    cutChars,
  };
};

const SAMPLE_BYTES = 8000;

/** True when the bytes look binary: a NUL byte, invalid UTF-8, or mostly control characters. */
export const detectBinary = (buffer: Buffer): boolean => {
  const sample = buffer.subarray(0, SAMPLE_BYTES);
  if (sample.length === 0) return false;
  if (sample.includes(0)) return true;
  // A multi-byte character may be cut at the sample's end; drop up to 3 trailing bytes.
  let end = sample.length;
  if (buffer.length > SAMPLE_BYTES) {
    let back = 0;
    while (back < 3 && end - back - 1 >= 0 && (sample[end - back - 1]! & 0xc0) === 0x80) back++;
    if (end - back - 1 >= 0 && sample[end - back - 1]! >= 0xc0) end = end - back - 1;
  }
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(sample.subarray(0, end));
  } catch {
    return true;
  }
  let control = 0;
  // An index loop: a Buffer's iterator costs several times as much per byte.
  for (let index = 0; index < end; index++) {
    const byte = sample[index]!;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c && byte !== 0x1b && byte !== 0x08) control++;
  }
  return control / sample.length > 0.1;
};

const signatures: { type: string; bytes: number[]; offset?: number }[] = [
  { type: "PNG image", bytes: [0x89, 0x50, 0x4e, 0x47] },
  { type: "JPEG image", bytes: [0xff, 0xd8, 0xff] },
  { type: "GIF image", bytes: [0x47, 0x49, 0x46, 0x38] },
  { type: "WebP image", bytes: [0x57, 0x45, 0x42, 0x50], offset: 8 },
  { type: "PDF document", bytes: [0x25, 0x50, 0x44, 0x46] },
  { type: "ZIP archive", bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: "gzip archive", bytes: [0x1f, 0x8b] },
  { type: "xz archive", bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a] },
  { type: "bzip2 archive", bytes: [0x42, 0x5a, 0x68] },
  { type: "ELF executable", bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { type: "WebAssembly module", bytes: [0x00, 0x61, 0x73, 0x6d] },
  { type: "SQLite database", bytes: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65] },
  { type: "Java class file", bytes: [0xca, 0xfe, 0xba, 0xbe] },
];

/** A short guess of what binary data is, from its first bytes ("PNG image", "ELF executable"...). */
export const guessBinaryType = (buffer: Buffer): string => {
  for (const signature of signatures) {
    const offset = signature.offset ?? 0;
    if (signature.bytes.every((byte, index) => buffer[offset + index] === byte)) return signature.type;
  }
  return "unknown binary data";
};

/** "binary data, 1234 bytes, PNG image" — what the model sees instead of the bytes. */
export const describeBinary = (buffer: Buffer, totalBytes = buffer.length): string =>
  `${totalBytes} bytes, ${guessBinaryType(buffer)}`;
