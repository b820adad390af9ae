"use client";
// The deny / ask / allow textareas shared by the team policy and your own rules: one rule per line.
import { useState } from "react";

export type RuleListKey = "deny" | "ask" | "allow";
export type RuleLists = Record<RuleListKey, string[]>;
export type RuleListHints = Record<RuleListKey, string>;

const order: Array<{ key: RuleListKey; label: string }> = [
  { key: "deny", label: "Deny" },
  { key: "ask", label: "Ask" },
  { key: "allow", label: "Allow" },
];

const toLines = (rules: string[]) => rules.join("\n");
const fromLines = (text: string) => text.split("\n").map((line) => line.trim()).filter((line) => line !== "");

/** Editable text per list, and the lists it currently spells. */
export const useRuleListText = (initial: RuleLists) => {
  const [text, setText] = useState<Record<RuleListKey, string>>({ deny: toLines(initial.deny), ask: toLines(initial.ask), allow: toLines(initial.allow) });
  const lists = (): RuleLists => ({ deny: fromLines(text.deny), ask: fromLines(text.ask), allow: fromLines(text.allow) });
  return { text, setText, lists };
};

export function RuleListFields({
  text,
  setText,
  hints,
  testIdPrefix,
  readOnly = false,
}: {
  text: Record<RuleListKey, string>;
  setText: (update: (current: Record<RuleListKey, string>) => Record<RuleListKey, string>) => void;
  hints: RuleListHints;
  testIdPrefix: string;
  readOnly?: boolean;
}) {
  return (
    <>
      {order.map((list) => (
        <label key={list.key} className="block">
          <span className="font-medium">{list.label}</span> <span className="text-muted-foreground">· {hints[list.key]}</span>
          <textarea
            data-testid={`${testIdPrefix}-${list.key}`}
            value={text[list.key]}
            readOnly={readOnly}
            onChange={(event) => setText((current) => ({ ...current, [list.key]: event.target.value }))}
            rows={4}
            spellCheck={false}
            placeholder={readOnly ? "no rules" : "one rule per line"}
            className="mt-1 w-full rounded-md border border-input bg-background px-3 py-2 font-mono text-xs read-only:opacity-70"
          />
        </label>
      ))}
    </>
  );
}
