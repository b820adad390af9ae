// How the session header names the people watching: initials for the avatar, a label for hover
// and screen readers, and a colour that stays the same for a person across pages.
import type { SessionWatcher } from "@/server/agent/events";

/** First letters of the first and last word ("Ada Lovelace" -> "AL"); "?" for a blank name. */
export const initialsOf = (name: string) => {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return "?";
  const first = [...words[0]][0] ?? "";
  const last = words.length > 1 ? ([...words[words.length - 1]][0] ?? "") : "";
  return (first + last).toUpperCase();
};

export const watcherLabel = (watcher: SessionWatcher, you: boolean) => `${watcher.name} · ${watcher.role}${you ? " · you" : ""}`;

const palette = ["bg-info/20 text-info", "bg-success/20 text-success", "bg-warning/20 text-warning", "bg-danger/20 text-danger", "bg-accent text-foreground"];

export const avatarColour = (userId: string) => {
  let hash = 0;
  for (const char of userId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return palette[hash % palette.length];
};

/** You first, then the others in the order they came; past `max`, the rest fold into "+N". */
export const arrangeWatchers = (watchers: SessionWatcher[], myId: string | undefined, max: number) => {
  const ordered = [...watchers.filter((watcher) => watcher.userId === myId), ...watchers.filter((watcher) => watcher.userId !== myId)];
  const shown = ordered.length > max ? ordered.slice(0, max - 1) : ordered;
  return { shown, folded: ordered.slice(shown.length) };
};
