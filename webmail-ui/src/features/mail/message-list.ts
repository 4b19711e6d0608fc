/**
 * The message list of one mailbox: pages fetched by position (RFC 8621 4.4,
 * RFC 8620 5.5), newest first, kept current by Email/changes (RFC 8620 5.2)
 * when push reports a new Email state. Holds no DOM.
 */
import { JmapMethodError, type Id, type JmapClient } from "../../api/jmap";
import type { QueryFilter } from "./search";
import { fetchSummaries, SUMMARY_PROPERTIES, toSummary, type MessageSummary, type SummaryPage } from "./summary-page";

export { SUMMARY_PROPERTIES, toSummary, type MessageSummary } from "./summary-page";

/** What one refresh did, so the view can patch rows instead of redrawing. */
export interface ListChange {
  inserted: Id[];
  removed: Id[];
  updated: Id[];
  reloaded: boolean;
}

/** Rows fetched by position beyond the loaded ones; dropped at the list's next change. */
export interface FarWindow {
  position: number;
  items: readonly MessageSummary[];
}

const SORT = [{ property: "receivedAt", isAscending: false }];
const MAX_CHANGES = 500;

export class MessageList {
  #ids: Id[] = [];
  #emails = new Map<Id, MessageSummary>();
  /** `items`, built once per change: a deep list has tens of thousands. */
  #items: MessageSummary[] | null = null;
  /** Rows far below the loaded ones, fetched by position for a jump down the list. */
  #far: FarWindow | null = null;
  /**
   * The far window's rows after a change dropped it, until it is fetched again: the
   * message open down there keeps its place for j/k meanwhile.
   */
  #farBefore: readonly MessageSummary[] = [];
  #total = 0;
  #loaded = false;
  /** The Email state the loaded summaries reflect; null before the first page. */
  #state: string | null = null;
  /** Serialises loads and refreshes so a page never interleaves with a change. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: JmapClient,
    readonly mailboxId: Id,
    readonly pageSize = 50,
    /** A search within the mailbox; its matches cannot be judged here, so changes reload. */
    readonly search: QueryFilter | null = null,
    /** One row per thread (collapseThreads, RFC 8621 4.4.3), its newest message. */
    readonly threads = false,
  ) {}

  /** The loaded summaries in list order; the same array until the list changes, so a
   * view can tell a page appended from a list rebuilt without comparing every row. */
  get items(): readonly MessageSummary[] {
    this.#items ??= this.#ids.map((id) => this.#emails.get(id)).filter((e): e is MessageSummary => !!e);
    return this.#items;
  }

  get total(): number {
    return this.#total;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  get hasMore(): boolean {
    return this.#ids.length < this.#total;
  }

  get state(): string | null {
    return this.#state;
  }

  /** The far window, if a jump fetched one. */
  get far(): FarWindow | null {
    return this.#far;
  }

  get(id: Id): MessageSummary | undefined {
    return this.#emails.get(id) ?? this.#farRows(id).find((item) => item.id === id);
  }

  /** The row after (1) or before (-1) row `id`, among the loaded rows or the far window. */
  neighbour(id: Id, step: 1 | -1): MessageSummary | undefined {
    const rows = this.#emails.has(id) ? this.items : this.#farRows(id);
    const at = rows.findIndex((row) => row.id === id);
    return at === -1 ? undefined : rows[at + step];
  }

  /** The far rows `id` is among: the current window's, else the one a change dropped. */
  #farRows(id: Id): readonly MessageSummary[] {
    const far = this.#far?.items ?? [];
    return far.some((item) => item.id === id) ? far : this.#farBefore;
  }

  indexOf(id: Id): number {
    return this.#ids.indexOf(id);
  }

  /**
   * Fetches the next page (query + get by reference, one request); returns the new ids.
   * With `upTo`, a row far below the loaded ones is wanted (a jump down the scrollbar):
   * the page grows to reach it, up to `maxPage` rows a request.
   */
  loadMore(upTo = 0, maxPage = this.pageSize): Promise<Id[]> {
    return this.#enqueue(() => {
      const wanted = upTo - this.#ids.length;
      return this.#loadPage(Math.max(this.pageSize, Math.min(wanted, maxPage)));
    });
  }

  /**
   * Fetches rows from `position` on, far below the loaded ones, as the far window (up to
   * `maxPage` of them, a page each side to spare), without loading every row above.
   */
  loadAt(position: number, count: number, maxPage = this.pageSize): Promise<void> {
    return this.#enqueue(async () => {
      const from = Math.max(0, position - this.pageSize);
      const limit = Math.min(maxPage, Math.max(count, 0) + 2 * this.pageSize);
      const page = await this.#fetch(from, limit);
      this.#far = { position: page.position, items: page.summaries };
      this.#farBefore = [];
      this.#total = Math.max(page.total ?? this.#total, this.#ids.length);
    });
  }

  /** Brings the list up to date with the server's Email state. */
  refresh(): Promise<ListChange> {
    return this.#enqueue(() => {
      // Positions may have moved: the far window is fetched again when still in view.
      if (this.#far) this.#farBefore = this.#far.items;
      this.#far = null;
      return this.#applyChanges();
    });
  }

  /** A local edit (e.g. a keyword set by this client) shown before the server confirms it. */
  patch(id: Id, change: Partial<Omit<MessageSummary, "id">>): void {
    const email = this.#emails.get(id);
    if (email) {
      this.#emails.set(id, { ...email, ...change });
      this.#items = null;
    }
    const far = this.#far;
    if (far?.items.some((item) => item.id === id)) {
      this.#far = { ...far, items: far.items.map((item) => (item.id === id ? { ...item, ...change } : item)) };
    }
  }

  /** Takes a message out of the list (moved or deleted here). */
  remove(id: Id): boolean {
    const index = this.#ids.indexOf(id);
    this.#farBefore = this.#farBefore.filter((item) => item.id !== id);
    if (this.#far?.items.some((item) => item.id === id)) {
      this.#far = null; // the rows below it moved up one
      if (index === -1) {
        this.#total = Math.max(0, this.#total - 1);
        return true;
      }
    }
    if (index === -1) return false;
    this.#ids.splice(index, 1);
    this.#emails.delete(id);
    this.#items = null;
    this.#total = Math.max(0, this.#total - 1);
    return true;
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #loadPage(limit = this.pageSize): Promise<Id[]> {
    const page = await this.#fetch(this.#ids.length, limit);
    // Mail that arrived since the previous page shifts positions: skip repeats.
    const added: Id[] = [];
    this.#items = null;
    for (const summary of page.summaries) {
      if (this.#emails.has(summary.id)) continue;
      this.#emails.set(summary.id, summary);
      this.#ids.push(summary.id);
      added.push(summary.id);
    }
    this.#total = Math.max(page.total ?? this.#total, this.#ids.length);
    this.#state ??= page.state;
    this.#loaded = true;
    return added;
  }

  /** A page from `position`; the total is counted only with the first page; changes keep
   * it current after (counting 100,000 rows costs each page a few hundred ms). */
  #fetch(position: number, limit: number): Promise<SummaryPage> {
    const filter = this.search ?? { inMailbox: this.mailboxId };
    const withTotal = this.#ids.length === 0 && this.#far === null;
    return fetchSummaries(this.client, { filter, sort: SORT, position, limit, collapseThreads: this.threads, withTotal });
  }

  async #reload(): Promise<ListChange> {
    const removed = [...this.#ids];
    this.#ids = [];
    this.#emails.clear();
    this.#items = null;
    this.#state = null;
    const inserted = await this.#loadPage();
    return { inserted, removed, updated: [], reloaded: true };
  }

  async #applyChanges(): Promise<ListChange> {
    // Matches of a search and the newest of each thread cannot be judged here: ask again.
    if (this.#state === null || this.search || this.threads) return this.#reload();
    const batch = this.client.batch();
    const changes = batch.call("Email/changes", { sinceState: this.#state, maxChanges: MAX_CHANGES });
    const created = batch.call("Email/get", { "#ids": changes.ref("/created"), properties: SUMMARY_PROPERTIES });
    const updated = batch.call("Email/get", { "#ids": changes.ref("/updated"), properties: SUMMARY_PROPERTIES });
    await batch.send();

    let changed;
    try {
      changed = changes.response;
    } catch (error) {
      if (error instanceof JmapMethodError && error.type === "cannotCalculateChanges") return this.#reload();
      throw error;
    }
    if (changed.hasMoreChanges) return this.#reload();

    const result: ListChange = { inserted: [], removed: [], updated: [], reloaded: false };
    for (const id of changed.destroyed) {
      if (this.remove(id)) result.removed.push(id);
    }
    for (const email of [...created.response.list, ...updated.response.list]) {
      this.#merge(toSummary(email), result);
    }
    this.#state = changed.newState;
    return result;
  }

  #merge(email: MessageSummary, result: ListChange): void {
    const here = email.mailboxIds[this.mailboxId] === true;
    if (this.#emails.has(email.id)) {
      if (here) {
        this.#emails.set(email.id, email);
        this.#items = null;
        result.updated.push(email.id);
      } else if (this.remove(email.id)) {
        result.removed.push(email.id);
      }
      return;
    }
    if (!here) return;
    this.#total += 1;
    // Beyond the loaded window it will come with a later page.
    const last = this.#ids.length ? this.#emails.get(this.#ids[this.#ids.length - 1]!) : undefined;
    if (this.#beyondWindow(email, last)) return;
    const at = this.#ids.findIndex((id) => (this.#emails.get(id)?.receivedAt ?? "") < email.receivedAt);
    this.#ids.splice(at === -1 ? this.#ids.length : at, 0, email.id);
    this.#emails.set(email.id, email);
    this.#items = null;
    result.inserted.push(email.id);
  }

  /** True when `email` sorts after the loaded window and more pages exist. */
  #beyondWindow(email: MessageSummary, last: MessageSummary | undefined): boolean {
    return this.#ids.length + 1 < this.#total && last !== undefined && email.receivedAt < last.receivedAt;
  }
}
