// AskUserQuestion: the model asks the people in the session; their answer is the tool result.
// The question shows as a card in the session; the call waits (and survives reloads) until answered.
import { z } from "zod";
import { defineTool, ToolError } from "./tool";

const description = `Ask the user one to four questions when you need a decision you cannot make yourself (a
choice between approaches, a missing requirement, a preference). Each question offers 2-4 options;
the user may also answer in their own words. Do not ask what you can find out with the other tools.
The answers come back as this tool's result.`;

export const askUserQuestionTool = defineTool({
  name: "AskUserQuestion",
  description,
  inputSchema: z.object({
    questions: z
      .array(
        z.object({
          question: z.string().trim().min(1).max(1000).describe("The full question, ending with a question mark"),
          header: z.string().max(30).optional().describe("A very short label for the question (e.g. 'Database')"),
          options: z
            .array(z.object({ label: z.string().trim().min(1).max(100), description: z.string().max(500).optional() }))
            .min(2)
            .max(4)
            .describe("The choices offered"),
          multiSelect: z.boolean().optional().describe("True when several options may be chosen"),
        }),
      )
      .min(1)
      .max(4)
      .describe("One to four questions, asked together"),
  }),
  readOnly: true,
  permissionKey: () => "ask",
  run: async (input, context) => {
    if (!context.people) throw new ToolError("Nobody can answer questions in this run (headless). Decide yourself and say what you assumed.");
    const answers = await context.people.ask(input.questions, context.signal, context.toolUseId);
    if (!answers) return { output: "The turn was stopped before the user answered.", isError: true };
    const lines = input.questions.map((q, index) => `${q.question}\n→ ${answers[index] ?? "(no answer)"}`);
    return { output: `The user answered:\n${lines.join("\n")}`, isError: false, metadata: { answers } };
  },
});
