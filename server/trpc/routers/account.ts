// The signed-in account's own settings: its permission rules, the "user" source of every session it
// owns (any signed-in user reads and changes their own, and nobody else's).
import { TRPCError } from "@trpc/server";
import { userRulesSchema, validateUserRules } from "../../permissions/user-rules";
import { loadUserRules, saveUserRules } from "../../sessions/user-rules-store";
import { createRouter, protectedProcedure } from "../init";

export const accountRouter = createRouter({
  rules: protectedProcedure.query(async ({ ctx }) => loadUserRules(ctx.services.db, ctx.user.id)),

  setRules: protectedProcedure.input(userRulesSchema).mutation(async ({ ctx, input }) => {
    const checked = validateUserRules(input);
    // One message naming every rule that does not parse, so the form can show them all at once.
    if (!checked.ok) throw new TRPCError({ code: "BAD_REQUEST", message: `Your rules were not saved:\n${checked.errors.join("\n")}` });
    await saveUserRules(ctx.services.db, ctx.user.id, checked.rules);
    return { rules: checked.rules };
  }),
});
