import { describe, expect, it } from "vitest";
import { createMarkdownPrinter } from "./markdown-ansi";

const collect = () => {
  const chunks: string[] = [];
  return { out: (text: string) => chunks.push(text), text: () => chunks.join(""), chunks };
};

describe("markdown printer", () => {
  it("streams prose as it arrives", async () => {
    const sink = collect();
    const printer = createMarkdownPrinter(sink.out, { colour: false });
    await printer.write("Hel");
    expect(sink.text()).toBe("Hel");
    await printer.write("lo world\nnext");
    await printer.end();
    expect(sink.text()).toBe("Hello world\nnext\n");
  });

  it("holds a code block until it closes, then prints it highlighted", async () => {
    const sink = collect();
    const printer = createMarkdownPrinter(sink.out, { colour: true });
    await printer.write("Code:\n```py");
    await printer.write("thon\nprint('hi')\n");
    expect(sink.text()).toBe("Code:\n```python\n");
    await printer.write("```\ndone\n");
    await printer.end();
    const text = sink.text();
    expect(text).toContain("\u001b[38;2;");
    expect(text.replace(/\u001b\[[0-9;]*m/g, "")).toBe("Code:\n```python\nprint('hi')\n```\ndone\n");
  });

  it("prints code plainly for an unknown language or without colour", async () => {
    const sink = collect();
    const printer = createMarkdownPrinter(sink.out, { colour: true });
    await printer.write("```nolang\nx y\n```\n");
    await printer.end();
    expect(sink.text()).toBe("```nolang\nx y\n```\n");
  });
});
