import { describe, expect, it } from "vitest";
import { arrangeWatchers, avatarColour, initialsOf, watcherLabel } from "./presence";

describe("presence labels", () => {
  it("takes the first letters of the first and last word", () => {
    expect(initialsOf("Ada Lovelace")).toBe("AL");
    expect(initialsOf("  grace  brewster  hopper ")).toBe("GH");
    expect(initialsOf("bob")).toBe("B");
    expect(initialsOf("élodie ñúñez")).toBe("ÉÑ");
    expect(initialsOf("   ")).toBe("?");
  });

  it("names the role and marks the viewer's own entry", () => {
    const watcher = { userId: "u1", name: "Ada", role: "owner" as const };
    expect(watcherLabel(watcher, false)).toBe("Ada · owner");
    expect(watcherLabel(watcher, true)).toBe("Ada · owner · you");
  });

  it("gives a person the same colour every time", () => {
    expect(avatarColour("u-ada")).toBe(avatarColour("u-ada"));
    expect(new Set(["a", "b", "c", "d", "e", "f", "g"].map(avatarColour)).size).toBeGreaterThan(1);
  });
});

describe("arrangeWatchers", () => {
  const people = ["a", "b", "c", "d", "e", "f", "g"].map((id) => ({ userId: id, name: id.toUpperCase(), role: "member" as const }));
  const ids = (list: Array<{ userId: string }>) => list.map((watcher) => watcher.userId).join("");

  it("puts you first and keeps the others in the order they came", () => {
    const { shown, folded } = arrangeWatchers(people.slice(0, 3), "c", 5);
    expect(ids(shown)).toBe("cab");
    expect(folded).toEqual([]);
  });

  it("shows everyone up to the limit, and folds the rest into one chip past it", () => {
    expect(ids(arrangeWatchers(people.slice(0, 5), undefined, 5).shown)).toBe("abcde");
    const { shown, folded } = arrangeWatchers(people, "f", 5);
    expect(ids(shown)).toBe("fabc");
    expect(ids(folded)).toBe("deg");
  });
});
