-- A user's own permission rules: one JSON document per account (server/permissions/user-rules.ts).
-- NULL is no rules; it never permits bypassPermissions. Same step as the SQLite twin.

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "permissionRules" TEXT;
