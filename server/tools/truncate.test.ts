import { describe, expect, it } from "vitest";
import { describeBinary, detectBinary, truncateOutput } from "./truncate";

describe("truncateOutput", () => {
  it("leaves short text alone", () => {
    expect(truncateOutput("hello", 100)).toEqual({ text: "hello", truncated: false, cutChars: 0 });
  });

  it("keeps head and tail with a note of what was cut", () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join("\n");
    const result = truncateOutput(text, 1000);
    expect(result.truncated).toBe(true);
    expect(result.text.startsWith("line 0\n")).toBe(true);
    expect(result.text.endsWith("line 999")).toBe(true);
    expect(result.text).toMatch(/\[\.\.\. \d+ characters cut \.\.\.\]/);
    expect(result.text.length).toBeLessThan(1100);
    expect(result.cutChars).toBe(text.length - (result.text.length - result.text.match(/\n\[.*\]\n/)![0].length));
  });
});

describe("detectBinary", () => {
  it("tells text from binary", () => {
    expect(detectBinary(Buffer.from("plain text\nwith ünïcödé ✓\n"))).toBe(false);
    expect(detectBinary(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]))).toBe(true);
    expect(detectBinary(Buffer.from([0xff, 0xfe, 0x41, 0x42, 0xc3]))).toBe(true);
    expect(detectBinary(Buffer.alloc(0))).toBe(false);
  });

  it("does not call text binary when a multi-byte character is cut at the sample's end", () => {
    expect(detectBinary(Buffer.from("é".repeat(5000)))).toBe(false);
  });

  it("describes binary data", () => {
    expect(describeBinary(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]), 12345)).toBe("12345 bytes, ELF executable");
  });
});
