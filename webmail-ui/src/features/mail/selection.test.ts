import { describe, expect, it } from "vitest";
import { bulkPatch, movePatch, Selection } from "./selection";

const order = ["a", "b", "c", "d", "e"];

describe("Selection", () => {
  it("toggles one row", () => {
    const s = new Selection();
    s.toggle("b", order);
    expect(s.ids).toEqual(["b"]);
    s.toggle("b", order);
    expect(s.size).toBe(0);
  });

  it("shift-click ticks the range from the last toggled row, either direction", () => {
    const s = new Selection();
    s.toggle("b", order);
    s.toggle("d", order, true);
    expect(s.ids.sort()).toEqual(["b", "c", "d"]);
    s.toggle("a", order, true); // from d up to a: a is off, so all tick on
    expect(s.ids.sort()).toEqual(["a", "b", "c", "d"]);
  });

  it("a range unticks when its end was ticked", () => {
    const s = new Selection();
    for (const id of order) s.toggle(id, order);
    s.toggle("b", order); // b off, anchor b
    s.toggle("d", order, true); // d was on: the range turns off
    expect(s.ids.sort()).toEqual(["a", "e"]);
  });

  it("a range without an anchor is a single toggle", () => {
    const s = new Selection();
    s.toggle("c", order, true);
    expect(s.ids).toEqual(["c"]);
  });

  it("forgets rows that left the list", () => {
    const s = new Selection();
    s.toggle("a", order);
    s.toggle("c", order);
    s.prune(new Set(["c", "d"]));
    expect(s.ids).toEqual(["c"]);
  });
});

describe("bulkPatch", () => {
  const boxes = (id: string) => (id === "x" ? { inbox: true, work: true } : { inbox: true });
  it.each([
    ["read", { "keywords/$seen": true }],
    ["unread", { "keywords/$seen": null }],
    ["flag", { "keywords/$flagged": true }],
    ["unflag", { "keywords/$flagged": null }],
  ] as const)("%s", (action, patch) => {
    expect(bulkPatch(["x", "y"], action, boxes)).toEqual({ x: patch, y: patch });
  });

  it("a move leaves every other mailbox", () => {
    expect(bulkPatch(["x", "y"], "move", boxes, "archive")).toEqual({
      x: { "mailboxIds/archive": true, "mailboxIds/inbox": null, "mailboxIds/work": null },
      y: { "mailboxIds/archive": true, "mailboxIds/inbox": null },
    });
    expect(movePatch({ archive: true }, "archive")).toEqual({ "mailboxIds/archive": true });
  });
});
