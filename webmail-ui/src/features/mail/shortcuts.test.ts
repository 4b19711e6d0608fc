import { describe, expect, it } from "vitest";
import { SHORTCUTS } from "./shortcuts";

describe("SHORTCUTS", () => {
  it("lists every mail key once", () => {
    const keys = SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of ["j", "k", "r", "a", "f", "c", "/", "e", "#", "x", "?"]) expect(keys).toContain(key);
  });
});
