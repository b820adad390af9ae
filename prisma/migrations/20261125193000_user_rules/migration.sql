-- A user's own permission rules: one JSON document per account (server/permissions/user-rules.ts),
-- the "user" source of every session the account owns. NULL is no rules; it never permits bypass.

-- AlterTable
ALTER TABLE "User" ADD COLUMN "permissionRules" TEXT;
