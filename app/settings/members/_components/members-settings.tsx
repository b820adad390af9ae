"use client";
// The current workspace's members and their roles; admins change roles, remove members and make
// invitation links (mailed too, when the server has SMTP). The server enforces every rule (last
// owner, admins vs owners); errors show here.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc/react";

const roles = ["viewer", "member", "admin", "owner"] as const;
type Role = (typeof roles)[number];

export function MembersSettings() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.system.whoami.queryOptions());
  const members = useQuery(trpc.workspaces.members.queryOptions());
  const isAdmin = me.data?.membership?.role === "admin" || me.data?.membership?.role === "owner";
  const invitations = useQuery({ ...trpc.invitations.list.queryOptions(), enabled: isAdmin });
  const inviteOptions = useQuery({ ...trpc.invitations.options.queryOptions(), enabled: isAdmin });
  const [inviteEmail, setInviteEmail] = useState("");
  const refresh = () => queryClient.invalidateQueries();
  const setRole = useMutation(trpc.workspaces.setRole.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.workspaces.removeMember.mutationOptions({ onSettled: refresh }));
  const leave = useMutation(trpc.workspaces.leave.mutationOptions({ onSuccess: () => window.location.assign("/") }));
  const invite = useMutation(trpc.invitations.create.mutationOptions({ onSuccess: () => setInviteEmail(""), onSettled: refresh }));
  const revoke = useMutation(trpc.invitations.revoke.mutationOptions({ onSettled: refresh }));
  const [inviteRole, setInviteRole] = useState<Exclude<Role, "owner">>("member");
  const error = setRole.error ?? remove.error ?? leave.error ?? invite.error ?? revoke.error ?? members.error;
  const origin = typeof window === "undefined" ? "" : window.location.origin;

  return (
    <div className="space-y-6">
      {error && <p className="text-sm text-danger" data-testid="members-error">{error.message}</p>}
      <table className="w-full text-sm" data-testid="members-table">
        <thead className="text-left text-muted-foreground">
          <tr><th className="py-1">Name</th><th>Email</th><th>Role</th><th /></tr>
        </thead>
        <tbody>
          {members.data?.map((member) => (
            <tr key={member.userId} data-testid="member-row" className="border-t border-border">
              <td className="py-2">{member.name}</td>
              <td>{member.email}</td>
              <td>
                {isAdmin ? (
                  <select aria-label={`Role of ${member.name}`} data-testid="member-role" value={member.role}
                    onChange={(event) => setRole.mutate({ userId: member.userId, role: event.target.value as Role })}
                    className="rounded-md border border-border bg-transparent px-2 py-1">
                    {roles.map((role) => <option key={role} value={role}>{role}</option>)}
                  </select>
                ) : (
                  <span data-testid="member-role-text">{member.role}</span>
                )}
              </td>
              <td className="text-right">
                {member.userId === me.data?.user.id ? (
                  <button type="button" data-testid="leave-workspace" onClick={() => leave.mutate()} className="text-danger">Leave</button>
                ) : isAdmin ? (
                  <button type="button" data-testid="remove-member" onClick={() => remove.mutate({ userId: member.userId })} className="text-danger">Remove</button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      {isAdmin && (
        <section className="space-y-3">
          <h2 className="font-medium">Invitation links</h2>
          <div className="flex flex-wrap gap-2 text-sm">
            {inviteOptions.data?.email && (
              <input type="email" aria-label="Email to send the invitation to" placeholder="Email (optional)" data-testid="invite-email" value={inviteEmail}
                onChange={(event) => setInviteEmail(event.target.value)} className="min-w-56 flex-1 rounded-md border border-border bg-transparent px-2 py-1" />
            )}
            <select aria-label="Role for the invitation" data-testid="invite-role" value={inviteRole}
              onChange={(event) => setInviteRole(event.target.value as Exclude<Role, "owner">)}
              className="rounded-md border border-border bg-transparent px-2 py-1">
              {roles.filter((role) => role !== "owner").map((role) => <option key={role} value={role}>{role}</option>)}
            </select>
            <button type="button" data-testid="invite-create" onClick={() => invite.mutate({ role: inviteRole, email: inviteEmail.trim() || undefined })}
              className="rounded-md bg-primary px-3 py-1 font-medium text-primary-foreground">{inviteEmail.trim() ? "Send invitation" : "Create link"}</button>
          </div>
          <p className="text-xs text-muted-foreground">A link works once and expires after 7 days.</p>
          {invite.data?.mail && <MailStatus mail={invite.data.mail} link={`${origin}${invite.data.path}`} />}
          <ul className="space-y-2 text-sm">
            {invitations.data?.map((item) => (
              <li key={item.id} className="flex items-center gap-2" data-testid="invitation-row">
                <code className="truncate" data-testid="invitation-link">{`${origin}/invite/${item.token}`}</code>
                <span className="text-muted-foreground">{item.role}</span>
                <button type="button" onClick={() => revoke.mutate({ id: item.id })} className="ml-auto text-danger" data-testid="invitation-revoke">Revoke</button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

/** After "Send invitation": that the mail went out, or why not, with the link to pass on by hand. */
function MailStatus({ mail, link }: { mail: { to: string; sent: true } | { to: string; sent: false; error: string }; link: string }) {
  if (mail.sent) return <p className="text-sm text-success" data-testid="invite-mail-status">Invitation sent to {mail.to}.</p>;
  return (
    <div className="space-y-1 text-sm" data-testid="invite-mail-status">
      <p className="text-danger">Could not email {mail.to}: {mail.error}</p>
      <p className="text-muted-foreground">The invitation exists anyway; send this link yourself: <code data-testid="invite-mail-link">{link}</code></p>
    </div>
  );
}
