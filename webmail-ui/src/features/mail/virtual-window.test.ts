import { describe, expect, it } from "vitest";
import { scrollToRow, visibleRange } from "./virtual-window";

describe("visibleRange", () => {
  const base = { scrollTop: 0, viewportHeight: 700, rowHeight: 70, count: 300, overscan: 5 };
  const cases: [string, Partial<typeof base>, { start: number; end: number }][] = [
    ["top of the list", {}, { start: 0, end: 15 }],
    ["scrolled a little", { scrollTop: 35 }, { start: 0, end: 16 }],
    ["middle", { scrollTop: 7000 }, { start: 95, end: 115 }],
    ["bottom clamps to the count", { scrollTop: 300 * 70 - 700 }, { start: 285, end: 300 }],
    ["scrolled past the end", { scrollTop: 1e6 }, { start: 300, end: 300 }],
    ["list starts below the viewport top", { scrollTop: -200 }, { start: 0, end: 15 }],
    ["fewer rows than fit", { count: 3 }, { start: 0, end: 3 }],
    ["empty", { count: 0 }, { start: 0, end: 0 }],
    ["no overscan", { overscan: 0, scrollTop: 700 }, { start: 10, end: 20 }],
    ["unmeasured rows", { rowHeight: 0 }, { start: 0, end: 0 }],
  ];
  it.each(cases)("%s", (_, change, expected) => {
    expect(visibleRange({ ...base, ...change })).toEqual(expected);
  });

  it("keeps far fewer rows than the total", () => {
    const { start, end } = visibleRange({ ...base, count: 10_000, scrollTop: 350_000 });
    expect(end - start).toBeLessThan(30);
  });
});

describe("scrollToRow", () => {
  const v = { scrollTop: 700, viewportHeight: 700, rowHeight: 70 };
  it("leaves a row in view alone", () => expect(scrollToRow(12, v)).toBeNull());
  it("scrolls up to a row above", () => expect(scrollToRow(3, v)).toBe(210));
  it("scrolls down to a row below", () => expect(scrollToRow(25, v)).toBe(25 * 70 + 70 - 700));
});
