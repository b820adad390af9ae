"use client";
// Assistant markdown, rendered as it streams: streamdown repairs unfinished syntax (an open code
// fence, a half-written link) on every update and highlights code blocks with shiki.

import { createCodePlugin } from "@streamdown/code";
import { memo } from "react";
import { Streamdown } from "streamdown";
import "streamdown/styles.css";

export type MarkdownProps = {
  text: string;
  /** True while tokens are still arriving: unfinished blocks are completed for display, and a caret shows. */
  streaming?: boolean;
};

// Pincer is dark-only, so both of streamdown's theme slots get the dark theme.
const code = createCodePlugin({ themes: ["github-dark-default", "github-dark-default"] });
const plugins = { code };
const controls = { code: { copy: true, download: false }, table: { copy: true, download: false, fullscreen: false } };

export const Markdown = memo(function Markdown({ text, streaming = false }: MarkdownProps) {
  return (
    <div data-testid="markdown" data-streaming={streaming ? "true" : "false"} className="pincer-markdown min-w-0 text-sm leading-6">
      <Streamdown
        isAnimating={streaming}
        caret={streaming ? "block" : undefined}
        plugins={plugins}
        controls={controls}
        codeBlockMaxHeight={480}
      >
        {text}
      </Streamdown>
    </div>
  );
});
