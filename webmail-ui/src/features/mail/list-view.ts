/**
 * The message list: one button per message, patched row by row so a new
 * page or a pushed change never redraws the whole list.
 */
import type { Id } from "../../api/jmap";
import { h, srOnly } from "../../lib/dom";
import { personName, shortDate } from "./format";
import type { MessageSummary } from "./message-list";

export interface ListCallbacks {
  onOpen(id: Id): void;
  onLoadMore(): void;
}

export class ListView {
  readonly root: HTMLElement;
  readonly #ul: HTMLUListElement;
  readonly #more: HTMLButtonElement;
  readonly #empty: HTMLElement;
  readonly #heading: HTMLElement;
  readonly #rows = new Map<Id, HTMLLIElement>();
  #selected: Id | null = null;

  constructor(
    container: HTMLElement,
    private readonly callbacks: ListCallbacks,
  ) {
    this.#heading = h("h2", { class: "list-heading" });
    this.#ul = h("ul", { class: "messages" });
    this.#empty = h("p", { class: "empty muted", hidden: true }, "No messages here.");
    this.#more = h("button", { type: "button", class: "secondary load-more", hidden: true }, "Load more");
    this.#more.addEventListener("click", () => callbacks.onLoadMore());
    this.root = h("div", { class: "list-inner" }, this.#heading, this.#ul, this.#empty, this.#more);
    container.replaceChildren(this.root);
    // Fetch the next page before the user reaches the end of the list.
    new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !this.#more.hidden && !this.#more.disabled) {
        callbacks.onLoadMore();
      }
    }, { root: container, rootMargin: "400px" }).observe(this.#more);
  }

  reset(title: string): void {
    this.#heading.textContent = title;
    this.#rows.clear();
    this.#ul.replaceChildren();
    this.#selected = null;
  }

  /** Puts rows in the model's order, building only the ones not shown yet; `changed` are rebuilt. */
  sync(items: readonly MessageSummary[], changed: Iterable<Id> = []): void {
    for (const id of changed) {
      this.#rows.get(id)?.remove();
      this.#rows.delete(id);
    }
    const keep = new Set(items.map((i) => i.id));
    for (const [id, row] of this.#rows) {
      if (!keep.has(id)) {
        row.remove();
        this.#rows.delete(id);
      }
    }
    let previous: HTMLLIElement | null = null;
    for (const item of items) {
      let row = this.#rows.get(item.id);
      if (!row) {
        row = this.#row(item);
        this.#rows.set(item.id, row);
      }
      const expected: Element | null = previous ? previous.nextElementSibling : this.#ul.firstElementChild;
      if (expected !== row) {
        if (previous) previous.after(row);
        else this.#ul.prepend(row);
      }
      previous = row;
    }
    this.#empty.hidden = items.length > 0;
    this.select(this.#selected);
  }

  setMore(hasMore: boolean, busy = false): void {
    this.#more.hidden = !hasMore;
    this.#more.disabled = busy;
    this.#more.textContent = busy ? "Loading…" : "Load more";
  }

  select(id: Id | null): void {
    this.#selected = id;
    for (const [rowId, row] of this.#rows) {
      const button = row.firstElementChild as HTMLElement;
      if (rowId === id) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    }
  }

  focus(id: Id): void {
    const button = this.#rows.get(id)?.firstElementChild as HTMLElement | undefined;
    button?.focus();
    button?.scrollIntoView({ block: "nearest" });
  }

  #row(item: MessageSummary): HTMLLIElement {
    const unread = !item.keywords["$seen"];
    const flagged = item.keywords["$flagged"] === true;
    const button = h(
      "button",
      { type: "button", class: `message${unread ? " unread" : ""}`, "data-id": item.id },
      unread ? srOnly("Unread, ") : null,
      h("span", { class: "from" }, personName(item.from[0])),
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
    button.addEventListener("click", () => this.callbacks.onOpen(item.id));
    return h("li", { "data-id": item.id }, button);
  }
}
