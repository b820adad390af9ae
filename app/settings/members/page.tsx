import { MembersSettings } from "./_components/members-settings";

export default function MembersPage() {
  return (
    <main className="mx-auto max-w-3xl space-y-6 p-6">
      <h1 className="text-lg font-medium">Members</h1>
      <MembersSettings />
    </main>
  );
}
