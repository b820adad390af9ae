"use client";
// The agent's question (AskUserQuestion): pick an option per question or answer in your own words.
import { useState } from "react";
import type { QuestionItem } from "./transcript";

export function QuestionCard({ item, canAnswer, onAnswer }: { item: QuestionItem; canAnswer: boolean; onAnswer: (answers: string[]) => Promise<unknown> }) {
  const [answers, setAnswers] = useState<string[]>(() => item.questions.map(() => ""));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (item.answer) {
    return (
      <div data-testid="question-answered" className="space-y-1 rounded-lg border border-border p-3 text-xs text-muted-foreground">
        {item.questions.map((q, index) => (
          <p key={q.question}>
            {q.question} <span className="text-foreground">→ {item.answer?.answers[index]}</span>
          </p>
        ))}
        <p>answered by {item.answer.by}</p>
      </div>
    );
  }

  if (!canAnswer) {
    return (
      <div data-testid="question-card" className="space-y-1 rounded-lg border border-info/50 bg-info/5 p-3 text-sm">
        {item.questions.map((q) => (
          <p key={q.question}>{q.question}</p>
        ))}
        <p className="text-xs text-muted-foreground">Waiting for a member to answer.</p>
      </div>
    );
  }

  const choose = (index: number, label: string, multi: boolean) =>
    setAnswers((current) =>
      current.map((value, i) => {
        if (i !== index) return value;
        if (!multi) return label;
        const chosen = value ? value.split(", ") : [];
        return (chosen.includes(label) ? chosen.filter((c) => c !== label) : [...chosen, label]).join(", ");
      }),
    );

  const submit = async () => {
    setBusy(true);
    setError(null);
    await onAnswer(answers.map((a) => a.trim()))
      .catch((cause: unknown) => setError(cause instanceof Error ? cause.message : String(cause)))
      .finally(() => setBusy(false));
  };

  return (
    <div data-testid="question-card" className="space-y-3 rounded-lg border border-info/50 bg-info/5 p-3 text-sm">
      {item.questions.map((q, index) => (
        <fieldset key={q.question} className="space-y-2">
          <legend className="font-medium">
            {q.header && <span className="mr-2 rounded bg-info/20 px-1.5 text-xs text-info">{q.header}</span>}
            {q.question}
          </legend>
          <div className="flex flex-wrap gap-2">
            {q.options.map((option) => {
              const selected = answers[index]?.split(", ").includes(option.label);
              return (
                <button
                  key={option.label}
                  type="button"
                  data-testid="question-option"
                  title={option.description}
                  onClick={() => choose(index, option.label, q.multiSelect === true)}
                  className={`rounded-md border px-3 py-1 text-xs ${selected ? "border-info bg-info/20" : "border-border"}`}
                >
                  {option.label}
                </button>
              );
            })}
          </div>
          <input
            data-testid="question-free-text"
            value={answers[index] ?? ""}
            onChange={(event) => setAnswers((current) => current.map((v, i) => (i === index ? event.target.value : v)))}
            placeholder="…or answer in your own words"
            className="w-full rounded-md border border-input bg-background px-2 py-1 text-xs"
          />
        </fieldset>
      ))}
      <button type="button" data-testid="question-submit" disabled={busy || answers.some((a) => !a.trim())} onClick={() => void submit()} className="rounded-md bg-primary px-3 py-1 text-xs font-medium text-primary-foreground disabled:opacity-50">
        Answer
      </button>
      {error && <p className="text-xs text-danger">{error}</p>}
    </div>
  );
}
