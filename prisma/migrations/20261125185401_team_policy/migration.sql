-- Team permission policy: one JSON document per workspace (server/permissions/team-policy.ts).
-- NULL is the empty policy, which does not permit bypassPermissions.

-- AlterTable
ALTER TABLE "Workspace" ADD COLUMN "permissionPolicy" TEXT;
