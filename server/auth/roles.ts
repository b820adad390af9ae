// Workspace roles, weakest first. A procedure names the weakest role it accepts.
import { z } from "zod";

export const roles = ["viewer", "member", "admin", "owner"] as const;
export type Role = (typeof roles)[number];
export const roleSchema = z.enum(roles);

/** viewer: watch only; member: every session action; admin: providers, members, invitations; owner: also owners. */
export const hasRole = (role: Role, minimum: Role) => roles.indexOf(role) >= roles.indexOf(minimum);

export const asRole = (value: string): Role => roleSchema.catch("viewer").parse(value);
