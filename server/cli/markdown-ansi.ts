// Streams assistant markdown to a terminal as it arrives: prose is written at once, fenced code
// blocks are held until they close and then printed with shiki's colours as 24-bit ANSI.
import { bundledLanguages, codeToTokensBase, type BundledLanguage } from "shiki";

const fence = /^\s*```\s*([\w+#.-]*)\s*$/;

export const ansiColour = (hex: string | undefined, text: string) => {
  if (!hex || !/^#[0-9a-f]{6}/i.test(hex)) return text;
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return `\u001b[38;2;${r};${g};${b}m${text}\u001b[39m`;
};

export const highlightForTerminal = async (code: string, lang: string, colour: boolean): Promise<string> => {
  if (!colour || !(lang in bundledLanguages)) return code;
  const lines = await codeToTokensBase(code, { lang: lang as BundledLanguage, theme: "github-dark-default" });
  return lines.map((tokens) => tokens.map((token) => ansiColour(token.color, token.content)).join("")).join("\n");
};

export type MarkdownPrinter = { write(text: string): Promise<void>; end(): Promise<void> };

export const createMarkdownPrinter = (out: (text: string) => void, options: { colour: boolean }): MarkdownPrinter => {
  let pending = ""; // the current line, not yet written
  let written = 0; // how much of `pending` was already written (prose streams mid-line)
  let code: { lang: string; lines: string[] } | null = null;

  const maybeFence = (line: string) => /^\s*`{0,3}$/.test(line) || /^\s*```/.test(line);

  const completeLine = async (line: string) => {
    const match = fence.exec(line);
    if (code) {
      if (match && match[1] === "") {
        out(`${await highlightForTerminal(code.lines.join("\n"), code.lang, options.colour)}\n`);
        out("```\n");
        code = null;
        return;
      }
      code.lines.push(line);
      return;
    }
    if (match) {
      out(`${line.slice(written)}\n`);
      code = { lang: match[1].toLowerCase(), lines: [] };
      return;
    }
    out(`${line.slice(written)}\n`);
  };

  return {
    async write(text) {
      pending += text;
      let newline = pending.indexOf("\n");
      while (newline !== -1) {
        await completeLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        written = 0;
        newline = pending.indexOf("\n");
      }
      // Prose streams as it arrives; a line that may open or close a fence waits for its end.
      if (!code && !maybeFence(pending) && pending.length > written) {
        out(pending.slice(written));
        written = pending.length;
      }
    },
    async end() {
      if (pending) await completeLine(pending);
      if (code) out(`${await highlightForTerminal(code.lines.join("\n"), code.lang, options.colour)}\n`);
      pending = "";
      written = 0;
      code = null;
    },
  };
};
