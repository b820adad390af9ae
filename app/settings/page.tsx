import { ProviderSettings } from "./_components/provider-settings";

export default function SettingsPage() {
  return (
    <main className="mx-auto max-w-3xl space-y-6 p-6">
      <h1 className="text-lg font-medium">Settings</h1>
      <ProviderSettings />
    </main>
  );
}
