import { ProviderSettings } from "./_components/provider-settings";
import { TeamPolicy } from "./_components/team-policy";
import { UserRules } from "./_components/user-rules";

export default function SettingsPage() {
  return (
    <main className="mx-auto max-w-3xl space-y-6 p-6">
      <h1 className="text-lg font-medium">Settings</h1>
      <ProviderSettings />
      <TeamPolicy />
      <UserRules />
    </main>
  );
}
