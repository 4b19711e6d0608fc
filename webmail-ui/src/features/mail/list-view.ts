/**
 * The message list, virtual: only the rows in view (plus overscan) are in the
 * DOM, absolutely placed in a list as tall as the whole mailbox, so scrolling
 * 10,000 messages costs what scrolling fifty does.
 */
import type { Id } from "../../api/jmap";
import { h, srOnly } from "../../lib/dom";
import { personName, shortDate } from "./format";
import type { FarWindow, MessageSummary } from "./message-list";
import type { BulkAction, Selection } from "./selection";
import { scrollToRow, visibleRange } from "./virtual-window";

export interface ListCallbacks {
  onOpen(id: Id): void;
  /** Rows not loaded are in view: rows [`from`, `upTo`) are wanted (none given: the next page). */
  onLoadMore(upTo?: number, from?: number): void;
  /** A checkbox changed; `range` when shift was held. */
  onTick(id: Id, range: boolean): void;
  onBulk(action: BulkAction | "archive" | "delete" | "clear", target?: Id): void;
  onThreads(on: boolean): void;
  /** "Empty Trash", shown only while the Trash is listed. */
  onEmptyTrash(): void;
  /** "Recover deleted mail", beside Empty Trash. */
  onRecover(): void;
}

/** The type dragged rows carry: a JSON array of email ids. */
export const DRAG_TYPE = "application/x-sealbox-emails";

const OVERSCAN = 8;
/** Rows past the window asked for ahead of a scroll (the list's pages come a round trip late). */
const PREFETCH = 100;
/** A first guess until a row is measured; mail.css fixes the real height. */
const GUESSED_ROW_HEIGHT = 92;

export class ListView {
  readonly root: HTMLElement;
  readonly #ul: HTMLUListElement;
  readonly #more: HTMLButtonElement;
  readonly #empty: HTMLElement;
  readonly #heading: HTMLElement;
  readonly #emptyTrash: HTMLButtonElement;
  readonly #recover: HTMLButtonElement;
  readonly #trashActions: HTMLElement;
  /** Rows built for the current window only; rows scrolled out of it are dropped. */
  readonly #rows = new Map<Id, HTMLLIElement>();
  #items: readonly MessageSummary[] = [];
  #far: FarWindow | null = null;
  #index = new Map<Id, number>();
  #total = 0;
  #rowHeight = 0;
  #selected: Id | null = null;
  #frame = 0;
  readonly #bulk: HTMLElement;
  readonly #bulkCount: HTMLElement;
  readonly #moveMenu: HTMLSelectElement;

  constructor(
    private readonly container: HTMLElement,
    private readonly callbacks: ListCallbacks,
    private readonly selection: Selection,
  ) {
    const act = (label: string, action: Parameters<ListCallbacks["onBulk"]>[0]) => {
      const b = h("button", { type: "button", class: "secondary" }, label);
      b.addEventListener("click", () => callbacks.onBulk(action));
      return b;
    };
    this.#bulkCount = h("span", { class: "bulk-count" });
    this.#moveMenu = h("select", { "aria-label": "Move selection" });
    this.#moveMenu.addEventListener("change", () => {
      if (this.#moveMenu.value) callbacks.onBulk("move", this.#moveMenu.value);
      this.#moveMenu.value = "";
    });
    this.#bulk = h(
      "div",
      { class: "bulk toolbar", role: "toolbar", "aria-label": "Selected messages", hidden: true },
      this.#bulkCount,
      act("Mark read", "read"),
      act("Mark unread", "unread"),
      act("Flag", "flag"),
      act("Archive", "archive"),
      act("Delete", "delete"),
      this.#moveMenu,
      act("Clear", "clear"),
    );
    this.#heading = h("h2", { class: "list-title" });
    const threads = h("button", { type: "button", class: "secondary threads-toggle", "aria-pressed": "false" }, "Threads");
    threads.addEventListener("click", () => {
      const on = threads.getAttribute("aria-pressed") !== "true";
      threads.setAttribute("aria-pressed", String(on));
      callbacks.onThreads(on);
    });
    this.#emptyTrash = h("button", { type: "button", class: "secondary" }, "Empty Trash");
    this.#emptyTrash.addEventListener("click", () => callbacks.onEmptyTrash());
    this.#recover = h("button", { type: "button", class: "secondary", hidden: true }, "Recover deleted mail");
    this.#recover.addEventListener("click", () => callbacks.onRecover());
    this.#trashActions = h("div", { class: "trash-actions", hidden: true }, this.#recover, this.#emptyTrash);
    const header = h("div", { class: "list-heading" }, this.#heading, threads, this.#trashActions);
    this.#ul = h("ul", { class: "messages" });
    this.#empty = h("p", { class: "empty muted", hidden: true }, "No messages here.");
    this.#more = h("button", { type: "button", class: "secondary load-more", hidden: true }, "Load more");
    this.#more.addEventListener("click", () => callbacks.onLoadMore());
    this.root = h("div", { class: "list-inner" }, header, this.#bulk, this.#ul, this.#empty, this.#more);
    container.replaceChildren(this.root);
    container.addEventListener("scroll", () => this.#schedule(), { passive: true });
    new ResizeObserver(() => this.#schedule()).observe(container);
  }

  /** Shows "Empty Trash" (the list is the Trash); `busy` while it runs. "Recover deleted
   * mail" shows beside it when the server keeps deleted mail (`recover`). */
  setEmptyTrash(shown: boolean, busy = false, recover = false): void {
    this.#trashActions.hidden = !shown;
    this.#recover.hidden = !recover;
    this.#emptyTrash.disabled = busy;
  }

  reset(title: string): void {
    this.#heading.textContent = title;
    this.#rows.clear();
    this.#ul.replaceChildren();
    this.#items = [];
    this.#far = null;
    this.#index.clear();
    this.#total = 0;
    this.#selected = null;
    this.container.scrollTop = 0;
    this.#layout();
  }

  /** The model's rows (in order) and its total; `changed` rows are rebuilt. Draws only the window. */
  sync(
    items: readonly MessageSummary[],
    changed: Iterable<Id> = [],
    total = items.length,
    far: FarWindow | null = null,
  ): void {
    if (far !== this.#far) {
      // Far rows drawn from an older window may sit at other positions now: rebuild them.
      for (const item of this.#far?.items ?? []) {
        this.#rows.get(item.id)?.remove();
        this.#rows.delete(item.id);
      }
      this.#far = far;
    }
    for (const id of changed) {
      this.#rows.get(id)?.remove();
      this.#rows.delete(id);
    }
    const before = this.#items;
    this.#items = items;
    // A page appended keeps every row where it was: index only the new rows (a deep
    // list would otherwise rebuild tens of thousands of entries a page).
    const appended = before.length > 0 && before.length <= items.length && before.every((item, i) => items[i] === item);
    if (!appended) this.#index = new Map();
    for (let i = appended ? before.length : 0; i < items.length; i += 1) this.#index.set(items[i]!.id, i);
    if (this.selection.size) this.selection.prune(new Set(this.#index.keys()));
    this.#total = Math.max(total, items.length);
    this.#empty.hidden = items.length > 0;
    this.#layout();
  }

  setMore(hasMore: boolean, busy = false): void {
    this.#more.hidden = !hasMore;
    this.#more.disabled = busy;
    this.#more.textContent = busy ? "Loading…" : "Load more";
    if (!busy) this.#schedule();
  }

  select(id: Id | null): void {
    this.#selected = id;
    for (const [rowId, row] of this.#rows) {
      const button = row.querySelector("button.message") as HTMLElement;
      if (rowId === id) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
      const tick = row.querySelector("input") as HTMLInputElement;
      tick.checked = this.selection.has(rowId);
      row.classList.toggle("ticked", tick.checked);
    }
    this.#bulk.hidden = this.selection.size === 0;
    this.#bulkCount.textContent = `${this.selection.size} selected`;
  }

  /** The mailboxes the "Move to" menu offers. */
  setMoveTargets(targets: readonly { id: Id; name: string }[]): void {
    this.#moveMenu.replaceChildren(
      h("option", { value: "" }, "Move to…"),
      ...targets.map((t) => h("option", { value: t.id }, t.name)),
    );
  }

  /** Scrolls row `id` into view (building it if it was outside the window) and focuses it. */
  focus(id: Id): void {
    const index = this.#index.get(id);
    if (index === undefined) return;
    // The sticky heading covers the top of the pane: the list is seen below it.
    const offset = this.#listTop() - this.#heading.offsetHeight;
    const to = scrollToRow(index, {
      scrollTop: this.container.scrollTop - offset,
      viewportHeight: this.container.clientHeight - this.#heading.offsetHeight,
      rowHeight: this.#height(),
    });
    if (to !== null) this.container.scrollTop = to + offset;
    this.#draw();
    (this.#rows.get(id)?.querySelector("button.message") as HTMLElement | null)?.focus({ preventScroll: true });
  }

  /** How many rows are in the DOM now (for tests and the timing script). */
  get renderedRows(): number {
    return this.#rows.size;
  }

  #schedule(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#draw();
    });
  }

  #layout(): void {
    this.#ul.style.setProperty("height", `${this.#total * this.#height()}px`);
    this.#draw();
  }

  #height(): number {
    return this.#rowHeight || GUESSED_ROW_HEIGHT;
  }

  /** Where the list starts inside the scrolling pane (below the heading). */
  #listTop(): number {
    return this.#ul.getBoundingClientRect().top - this.container.getBoundingClientRect().top + this.container.scrollTop;
  }

  #draw(): void {
    const { start, end } = visibleRange({
      scrollTop: this.container.scrollTop - this.#listTop(),
      viewportHeight: this.container.clientHeight,
      rowHeight: this.#height(),
      count: this.#total,
      overscan: OVERSCAN,
    });
    const wanted = new Set<Id>();
    let previous: HTMLLIElement | null = null;
    let missing = false;
    for (let i = start; i < end; i += 1) {
      const item = this.#item(i);
      if (!item) {
        missing = true;
        continue;
      }
      wanted.add(item.id);
      let row = this.#rows.get(item.id);
      if (!row) {
        row = this.#row(item);
        this.#rows.set(item.id, row);
      }
      // CSSOM, not a style attribute, so a strict style-src CSP still allows it.
      row.style.setProperty("top", `${i * this.#height()}px`);
      row.setAttribute("aria-posinset", String(i + 1));
      row.setAttribute("aria-setsize", String(this.#total));
      // DOM order is list order, so screen readers and tab order read top to bottom.
      const expected: Element | null = previous ? previous.nextElementSibling : this.#ul.firstElementChild;
      if (expected !== row) {
        if (previous) previous.after(row);
        else this.#ul.prepend(row);
      }
      previous = row;
    }
    for (const [id, row] of this.#rows) {
      if (!wanted.has(id)) {
        row.remove();
        this.#rows.delete(id);
      }
    }
    this.select(this.#selected);
    const first = this.#rows.values().next().value;
    if (first && !this.#rowHeight && first.offsetHeight > 0) {
      this.#rowHeight = first.offsetHeight;
      if (this.#rowHeight !== GUESSED_ROW_HEIGHT) return this.#layout();
    }
    // Rows in view not loaded yet, or the loaded end a screenful or two away: ask ahead,
    // so a steady scroll meets rows already there.
    const loaded = this.#items.length;
    const nearEnd = start <= loaded && loaded < Math.min(this.#total, end + PREFETCH);
    if ((missing || nearEnd) && !this.#more.hidden && !this.#more.disabled) {
      this.callbacks.onLoadMore(end + PREFETCH, start);
    }
  }

  /** Row `i` of the list: loaded in order from the top, or in the far window. */
  #item(i: number): MessageSummary | undefined {
    if (i < this.#items.length) return this.#items[i];
    const far = this.#far;
    return far && i >= far.position ? far.items[i - far.position] : undefined;
  }

  #row(item: MessageSummary): HTMLLIElement {
    const unread = !item.keywords["$seen"];
    const flagged = item.keywords["$flagged"] === true;
    const button = h(
      "button",
      { type: "button", class: `message${unread ? " unread" : ""}`, "data-id": item.id },
      unread ? srOnly("Unread, ") : null,
      h(
        "span",
        { class: "from" },
        personName(item.from[0]),
        (item.threadSize ?? 1) > 1
          ? h("span", { class: "thread-count", title: `${item.threadSize} messages in this conversation` }, ` ${item.threadSize}`)
          : null,
      ),
      h("time", { class: "date", datetime: item.receivedAt }, shortDate(item.receivedAt)),
      h(
        "span",
        { class: "subject" },
        flagged ? h("span", { class: "flag", "aria-label": "Flagged" }, "★ ") : null,
        item.hasAttachment ? h("span", { class: "clip", "aria-hidden": "true" }, "file") : null,
        item.hasAttachment ? srOnly("Has attachment, ") : null,
        item.subject || "(no subject)",
      ),
      h("span", { class: "preview muted" }, item.preview),
    );
    button.addEventListener("click", (event) => {
      if (event.shiftKey) this.callbacks.onTick(item.id, true);
      else this.callbacks.onOpen(item.id);
    });
    const tick = h("input", {
      type: "checkbox",
      class: "tick",
      "aria-label": `Select ${item.subject || "(no subject)"}`,
    });
    tick.addEventListener("click", (event) => this.callbacks.onTick(item.id, event.shiftKey));
    const row = h("li", { "data-id": item.id, draggable: "true" }, tick, button);
    row.addEventListener("dragstart", (event) => {
      const ids = this.selection.has(item.id) ? this.selection.ids : [item.id];
      event.dataTransfer?.setData(DRAG_TYPE, JSON.stringify(ids));
      if (event.dataTransfer) event.dataTransfer.effectAllowed = "move";
    });
    return row;
  }
}
