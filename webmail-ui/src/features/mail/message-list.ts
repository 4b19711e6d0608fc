/**
 * The message list of one mailbox: pages fetched by position (RFC 8621 4.4,
 * RFC 8620 5.5), newest first, kept current by Email/changes (RFC 8620 5.2)
 * when push reports a new Email state. Holds no DOM.
 */
import { JmapMethodError, type Email, type EmailAddress, type Id, type JmapClient } from "../../api/jmap";
import type { QueryFilter } from "./search";

export interface MessageSummary {
  id: Id;
  threadId: Id;
  mailboxIds: Record<Id, boolean>;
  keywords: Record<string, boolean>;
  receivedAt: string;
  from: EmailAddress[];
  to: EmailAddress[];
  subject: string;
  preview: string;
  hasAttachment: boolean;
  /** Messages in its thread, known when the list collapses threads. */
  threadSize?: number;
}

/** Cheap properties: the server answers these from the summary row. */
export const SUMMARY_PROPERTIES = [
  "threadId",
  "mailboxIds",
  "keywords",
  "receivedAt",
  "from",
  "to",
  "subject",
  "preview",
  "hasAttachment",
];

export function toSummary(email: Email): MessageSummary {
  return {
    id: email.id,
    threadId: email.threadId ?? email.id,
    mailboxIds: email.mailboxIds ?? {},
    keywords: email.keywords ?? {},
    receivedAt: email.receivedAt ?? "",
    from: email.from ?? [],
    to: email.to ?? [],
    subject: email.subject ?? "",
    preview: email.preview ?? "",
    hasAttachment: email.hasAttachment ?? false,
  };
}

/** What one refresh did, so the view can patch rows instead of redrawing. */
export interface ListChange {
  inserted: Id[];
  removed: Id[];
  updated: Id[];
  reloaded: boolean;
}

const SORT = [{ property: "receivedAt", isAscending: false }];
const MAX_CHANGES = 500;

export class MessageList {
  #ids: Id[] = [];
  #emails = new Map<Id, MessageSummary>();
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

  get items(): MessageSummary[] {
    return this.#ids.map((id) => this.#emails.get(id)).filter((e): e is MessageSummary => !!e);
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

  get(id: Id): MessageSummary | undefined {
    return this.#emails.get(id);
  }

  indexOf(id: Id): number {
    return this.#ids.indexOf(id);
  }

  /** Fetches the next page (query + get by reference, one request); returns the new ids. */
  loadMore(): Promise<Id[]> {
    return this.#enqueue(() => this.#loadPage());
  }

  /** Brings the list up to date with the server's Email state. */
  refresh(): Promise<ListChange> {
    return this.#enqueue(() => this.#applyChanges());
  }

  /** A local edit (e.g. a keyword set by this client) shown before the server confirms it. */
  patch(id: Id, change: Partial<Omit<MessageSummary, "id">>): void {
    const email = this.#emails.get(id);
    if (email) this.#emails.set(id, { ...email, ...change });
  }

  /** Takes a message out of the list (moved or deleted here). */
  remove(id: Id): boolean {
    const index = this.#ids.indexOf(id);
    if (index === -1) return false;
    this.#ids.splice(index, 1);
    this.#emails.delete(id);
    this.#total = Math.max(0, this.#total - 1);
    return true;
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #loadPage(): Promise<Id[]> {
    const batch = this.client.batch();
    const query = batch.call("Email/query", {
      filter: this.search ?? { inMailbox: this.mailboxId },
      sort: SORT,
      position: this.#ids.length,
      limit: this.pageSize,
      calculateTotal: true,
      collapseThreads: this.threads,
    });
    const get = batch.call("Email/get", {
      "#ids": query.ref("/ids"),
      properties: SUMMARY_PROPERTIES,
    });
    const threads = this.threads ? batch.call("Thread/get", { "#ids": get.ref("/list/*/threadId") }) : undefined;
    await batch.send();
    const sizes = new Map((threads?.response.list ?? []).map((t) => [t.id, t.emailIds.length]));
    const { total } = query.response;
    const { list, state } = get.response;
    // Mail that arrived since the previous page shifts positions: skip repeats.
    const added: Id[] = [];
    for (const email of list) {
      if (this.#emails.has(email.id)) continue;
      const summary = toSummary(email);
      const size = sizes.get(summary.threadId);
      this.#emails.set(email.id, size === undefined ? summary : { ...summary, threadSize: size });
      this.#ids.push(email.id);
      added.push(email.id);
    }
    this.#total = Math.max(total ?? 0, this.#ids.length);
    this.#state ??= state;
    this.#loaded = true;
    return added;
  }

  async #reload(): Promise<ListChange> {
    const removed = [...this.#ids];
    this.#ids = [];
    this.#emails.clear();
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
    result.inserted.push(email.id);
  }

  /** True when `email` sorts after the loaded window and more pages exist. */
  #beyondWindow(email: MessageSummary, last: MessageSummary | undefined): boolean {
    return this.#ids.length + 1 < this.#total && last !== undefined && email.receivedAt < last.receivedAt;
  }
}
