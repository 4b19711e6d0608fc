/** Which rows of a fixed-row-height list are in view, plus overscan: the list's window arithmetic. */

export interface Viewport {
  /** Pixels of the list scrolled above the top of the viewport (negative while the list starts lower). */
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  count: number;
  /** Extra rows kept on each side, so a fast scroll does not show blank space. */
  overscan: number;
}

/** Row indexes [start, end) to keep in the DOM. */
export interface RowRange {
  start: number;
  end: number;
}

export function visibleRange(v: Viewport): RowRange {
  if (v.count <= 0 || v.rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, v.scrollTop) / v.rowHeight);
  const last = Math.ceil((Math.max(0, v.scrollTop) + Math.max(0, v.viewportHeight)) / v.rowHeight);
  const start = Math.min(v.count, Math.max(0, first - v.overscan));
  const end = Math.min(v.count, last + v.overscan);
  return { start, end: Math.max(start, end) };
}

/** The scrollTop that brings row `index` fully into view, or null when it already is. */
export function scrollToRow(index: number, v: Omit<Viewport, "count" | "overscan">): number | null {
  const top = index * v.rowHeight;
  if (top < v.scrollTop) return top;
  if (top + v.rowHeight > v.scrollTop + v.viewportHeight) return top + v.rowHeight - v.viewportHeight;
  return null;
}
