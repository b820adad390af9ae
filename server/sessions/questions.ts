// Questions the agent asks the people in a session (AskUserQuestion). Like approvals, both the
// question and the answer are events, and the call waits until someone answers or the turn stops.
import { randomUUID } from "node:crypto";
import type { RecordEvent } from "../agent/loop";
import type { UserAnswers, UserQuestion } from "../tools/tool";

export type Questions = ReturnType<typeof createQuestions>;

export const createQuestions = (deps: { record: RecordEvent; onWaiting: (waiting: boolean) => void }) => {
  const waiting = new Map<string, (answers: UserAnswers) => void>();

  return {
    ask(questions: UserQuestion[], signal: AbortSignal, toolUseId: string | undefined): Promise<UserAnswers | null> {
      const requestId = randomUUID();
      return new Promise<UserAnswers | null>((resolve) => {
        if (signal.aborted) return resolve(null);
        const settle = (answers: UserAnswers | null) => {
          waiting.delete(requestId);
          deps.onWaiting(waiting.size > 0);
          resolve(answers);
        };
        signal.addEventListener("abort", () => settle(null), { once: true });
        void deps.record("question", { requestId, toolUseId: toolUseId ?? null, questions }).then(() => {
          waiting.set(requestId, (answers) => settle(answers));
          deps.onWaiting(true);
        });
      });
    },
    /** False when no call waits on that question any more. */
    async answer(requestId: string, answers: UserAnswers, by: string): Promise<boolean> {
      const resolve = waiting.get(requestId);
      if (!resolve) return false;
      await deps.record("question_answer", { requestId, answers, by });
      resolve(answers);
      return true;
    },
  };
};
