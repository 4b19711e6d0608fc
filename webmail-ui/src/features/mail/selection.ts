/** Which messages are ticked for a bulk action, with shift-click ranges; and the bulk patches. Holds no DOM. */
import type { Id, PatchObject } from "../../api/jmap";

export class Selection {
  #ids = new Set<Id>();
  #anchor: Id | null = null;

  get size(): number {
    return this.#ids.size;
  }

  get ids(): Id[] {
    return [...this.#ids];
  }

  has(id: Id): boolean {
    return this.#ids.has(id);
  }

  /**
   * Ticks or unticks `id`; with `range`, every row between the last toggled
   * one and `id` (in `order`) takes the new state of `id`.
   */
  toggle(id: Id, order: readonly Id[], range = false): void {
    const on = !this.#ids.has(id);
    const from = this.#anchor === null ? -1 : order.indexOf(this.#anchor);
    const to = order.indexOf(id);
    const span = range && from !== -1 && to !== -1 ? order.slice(Math.min(from, to), Math.max(from, to) + 1) : [id];
    for (const each of span) {
      if (on) this.#ids.add(each);
      else this.#ids.delete(each);
    }
    this.#anchor = id;
  }

  clear(): void {
    this.#ids.clear();
    this.#anchor = null;
  }

  /** Forgets ticked messages that left the list. */
  prune(present: ReadonlySet<Id>): void {
    for (const id of this.#ids) if (!present.has(id)) this.#ids.delete(id);
    if (this.#anchor !== null && !present.has(this.#anchor)) this.#anchor = null;
  }
}

export type BulkAction = "read" | "unread" | "flag" | "unflag" | "move";

/** One Email/set update per message (RFC 8621 4.6): keywords by path, a move replaces every mailbox. */
export function bulkPatch(
  ids: readonly Id[],
  action: BulkAction,
  mailboxesOf: (id: Id) => Record<Id, boolean>,
  target?: Id,
): Record<Id, PatchObject> {
  const update: Record<Id, PatchObject> = {};
  for (const id of ids) {
    if (action === "read" || action === "unread") update[id] = { "keywords/$seen": action === "read" ? true : null };
    else if (action === "flag" || action === "unflag") update[id] = { "keywords/$flagged": action === "flag" ? true : null };
    else if (target) update[id] = movePatch(mailboxesOf(id), target);
  }
  return update;
}

export function movePatch(mailboxIds: Record<Id, boolean>, target: Id): PatchObject {
  const patch: PatchObject = { [`mailboxIds/${target}`]: true };
  for (const id of Object.keys(mailboxIds)) if (id !== target) patch[`mailboxIds/${id}`] = null;
  return patch;
}
