"use client";
// A shiki 4 highlighter for @git-diff-view (its own @git-diff-view/shiki pins shiki 3 and would
// ship a second copy). Grammars load on demand: call loadDiffLanguage(lang) before rendering a
// file, then pass diffHighlighter as registerHighlighter. Unknown languages fall back to the
// viewer's built-in lowlight highlighter.

import { processAST, type DiffHighlighter } from "@git-diff-view/react";
import { createHighlighterCore, type HighlighterCore } from "shiki/core";
import { createJavaScriptRegexEngine } from "shiki/engine/javascript";
import { bundledLanguages, bundledLanguagesAlias } from "shiki/langs";
import { bundledThemes } from "shiki/themes";

const THEME = "github-dark-default";
const PLAIN_LANGUAGES = new Set(["text", "plaintext", "txt", "plain"]);

let core: HighlighterCore | null = null;
let corePromise: Promise<HighlighterCore> | null = null;
const languageLoads = new Map<string, Promise<boolean>>();

function getCore(): Promise<HighlighterCore> {
  corePromise ??= createHighlighterCore({
    themes: [bundledThemes[THEME]],
    langs: [],
    engine: createJavaScriptRegexEngine({ forgiving: true }),
  }).then((created) => {
    core = created;
    return created;
  });
  return corePromise;
}

const loaderFor = (lang: string) =>
  (bundledLanguages as Record<string, (typeof bundledLanguages)[keyof typeof bundledLanguages]>)[lang] ??
  (bundledLanguagesAlias as Record<string, (typeof bundledLanguages)[keyof typeof bundledLanguages]>)[lang];

/** Makes `lang` highlightable; resolves false when shiki has no grammar for it. */
export function loadDiffLanguage(lang: string): Promise<boolean> {
  const known = languageLoads.get(lang);
  if (known) return known;
  const load = (async () => {
    const highlighter = await getCore();
    if (PLAIN_LANGUAGES.has(lang)) return true;
    const loader = loaderFor(lang);
    if (!loader) return false;
    await highlighter.loadLanguage(loader);
    return true;
  })();
  languageLoads.set(lang, load);
  return load;
}

let maxLineToIgnoreSyntax = 20_000;
const ignoreSyntaxHighlightList: (string | RegExp)[] = [];

export const diffHighlighter: Omit<DiffHighlighter, "getHighlighterEngine"> = {
  name: "pincer-shiki",
  // "class": the colours come from CSS variables (--diff-view-dark), so a theme switch needs no re-parse.
  type: "class",
  get maxLineToIgnoreSyntax() {
    return maxLineToIgnoreSyntax;
  },
  setMaxLineToIgnoreSyntax: (value: number) => {
    maxLineToIgnoreSyntax = value;
  },
  get ignoreSyntaxHighlightList() {
    return ignoreSyntaxHighlightList;
  },
  setIgnoreSyntaxHighlightList: (value: (string | RegExp)[]) => {
    ignoreSyntaxHighlightList.splice(0, ignoreSyntaxHighlightList.length, ...value);
  },
  getAST: ((raw: string, fileName?: string, lang?: string) => {
    if (!core) return undefined;
    if (fileName && ignoreSyntaxHighlightList.some((item) => (item instanceof RegExp ? item.test(fileName) : item === fileName))) {
      return undefined;
    }
    return core.codeToHast(raw, {
      lang: lang ?? "text",
      themes: { dark: THEME, light: THEME },
      cssVariablePrefix: "--diff-view-",
      defaultColor: false,
      mergeWhitespaces: false,
    });
  }) as DiffHighlighter["getAST"],
  processAST: (ast) => processAST(ast),
  hasRegisteredCurrentLang: (lang: string) => {
    if (!core) return false;
    if (PLAIN_LANGUAGES.has(lang)) return true;
    return core.getLoadedLanguages().includes(lang);
  },
};
