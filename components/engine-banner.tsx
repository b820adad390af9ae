"use client";
// The Docker engine's state as a banner (sessions page and session view): shown while the engine
// does not answer, gone as soon as it does. The server's watcher keeps the state; this asks often.
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/react";
import { engineBannerText } from "./engine-banner-text";

const POLL_MS = 3_000;

export function EngineBanner({ className = "" }: { className?: string }) {
  const trpc = useTRPC();
  const engine = useQuery({ ...trpc.system.engine.queryOptions(), refetchInterval: POLL_MS, staleTime: 0 });
  const text = engine.data ? engineBannerText(engine.data) : null;
  if (!text) return null;
  return (
    <div role="alert" data-testid="engine-banner" className={`border border-danger/40 bg-danger/10 px-4 py-3 text-sm ${className}`}>
      <strong>{text.headline}</strong> {text.detail}
    </div>
  );
}
