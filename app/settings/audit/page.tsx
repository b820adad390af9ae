import { AuditLog } from "./_components/audit-log";

export default function AuditPage() {
  return (
    <main className="mx-auto max-w-5xl space-y-6 p-6">
      <h1 className="text-lg font-medium">Audit log</h1>
      <AuditLog />
    </main>
  );
}
