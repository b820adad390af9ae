"use client";
// The session header's row of avatars: everyone who has the session open right now, with their
// name and role on hover. You come first, ringed; past a handful the rest fold into "+N".
import { useQuery } from "@tanstack/react-query";
import type { SessionWatcher } from "@/server/agent/events";
import { useTRPC } from "@/lib/trpc/react";
import { arrangeWatchers, avatarColour, initialsOf, watcherLabel } from "./presence";

const SHOWN = 5;

export function SessionWatchers({ watchers }: { watchers: SessionWatcher[] }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.system.whoami.queryOptions());
  if (watchers.length === 0) return null;
  const myId = me.data?.user.id;
  const { shown, folded } = arrangeWatchers(watchers, myId, SHOWN);
  return (
    <ul className="flex shrink-0 items-center gap-0.5" aria-label={`${watchers.length} watching`} data-testid="session-watchers">
      {shown.map((watcher) => {
        const you = watcher.userId === myId;
        const label = watcherLabel(watcher, you);
        return (
          <li
            key={watcher.userId}
            title={label}
            aria-label={label}
            data-testid="watcher"
            className={`flex size-6 shrink-0 cursor-default select-none items-center justify-center rounded-full text-[10px] font-semibold ${avatarColour(watcher.userId)} ${you ? "ring-1 ring-info" : ""}`}
          >
            {initialsOf(watcher.name)}
          </li>
        );
      })}
      {folded.length > 0 && (
        <li
          title={folded.map((watcher) => watcherLabel(watcher, false)).join("\n")}
          data-testid="watchers-more"
          className="flex h-6 shrink-0 cursor-default select-none items-center rounded-full bg-muted px-1.5 text-[10px] font-semibold text-muted-foreground"
        >
          +{folded.length}
        </li>
      )}
    </ul>
  );
}
