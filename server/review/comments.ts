// Line comments: stored as the reviewer writes them, then sent together as the agent's next user
// message, each with its file:line and the lines it is about.
import type { PrismaClient } from "../generated/prisma/client";

export type ReviewCommentInput = {
  path: string;
  side: "old" | "new";
  line: number;
  endLine?: number;
  excerpt?: string;
  body: string;
};

type StoredComment = { path: string; side: string; line: number; endLine: number | null; excerpt: string | null; body: string };

const location = (comment: StoredComment) => {
  const lines = comment.endLine && comment.endLine !== comment.line ? `${comment.line}-${comment.endLine}` : `${comment.line}`;
  return `${comment.path}:${lines}${comment.side === "old" ? " (removed lines, old version)" : ""}`;
};

/** The message the agent gets: one numbered block per comment, quoting the lines it is about. */
export const formatReviewComments = (comments: StoredComment[]): string => {
  const blocks = comments.map((comment, index) => {
    const quote = comment.excerpt ? `\n\`\`\`\n${comment.excerpt.replace(/\n+$/, "")}\n\`\`\`` : "";
    return `${index + 1}. ${location(comment)}${quote}\n${comment.body.trim()}`;
  });
  return `Review comments on your changes (please address each):\n\n${blocks.join("\n\n")}`;
};

export const createReviewComments = (db: PrismaClient, newId: () => string) => ({
  add: (sessionId: string, input: ReviewCommentInput) =>
    db.reviewComment.create({
      data: { id: newId(), sessionId, path: input.path, side: input.side, line: input.line, endLine: input.endLine ?? null, excerpt: input.excerpt ?? null, body: input.body },
    }),

  /** Comments not yet sent, oldest first. */
  pending: (sessionId: string) => db.reviewComment.findMany({ where: { sessionId, sentAt: null }, orderBy: { createdAt: "asc" } }),

  remove: (sessionId: string, id: string) => db.reviewComment.deleteMany({ where: { id, sessionId, sentAt: null } }),

  /**
   * Sends the pending comments through `send` (the session's sendMessage) and marks them sent only
   * once the message is accepted, so a busy agent loses nothing.
   */
  async send(sessionId: string, send: (text: string) => Promise<void>) {
    const comments = await db.reviewComment.findMany({ where: { sessionId, sentAt: null }, orderBy: { createdAt: "asc" } });
    if (comments.length === 0) return { sent: 0, text: "" };
    const text = formatReviewComments(comments);
    await send(text);
    await db.reviewComment.updateMany({ where: { id: { in: comments.map((comment) => comment.id) } }, data: { sentAt: new Date() } });
    return { sent: comments.length, text };
  },
});
