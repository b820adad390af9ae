-- Team permission policy: one JSON document per workspace (server/permissions/team-policy.ts).
-- NULL is the empty policy, which does not permit bypassPermissions. Same step as the SQLite twin.

-- AlterTable
ALTER TABLE "Workspace" ADD COLUMN     "permissionPolicy" TEXT;
