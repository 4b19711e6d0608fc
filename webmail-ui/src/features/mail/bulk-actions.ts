/**
 * Ticked messages: ticking (with shift for a range) and acting on all of them in one
 * Email/set (RFC 8621 4.6): mark, flag, move, archive, delete.
 */
import type { Id, PatchObject } from "../../api/jmap";
import type { BulkOps, MailContext } from "./mail-context";
import { byRole, displayName } from "./mailboxes";
import { bulkPatch, movePatch } from "./selection";

const DONE = { read: "Marked read.", unread: "Marked unread.", flag: "Flagged.", unflag: "Unflagged.", move: "Moved." };

export function bulkOps(mail: MailContext): BulkOps {
  const { listView, selection } = mail;

  function tick(id: Id, range: boolean): void {
    selection.toggle(id, (mail.list?.items ?? []).map((i) => i.id), range);
    listView.select(mail.open?.id ?? null);
  }

  async function bulk(action: Parameters<BulkOps["bulk"]>[0], target?: Id): Promise<void> {
    const ids = selection.ids;
    if (action === "clear" || !ids.length) {
      selection.clear();
      listView.select(mail.open?.id ?? null);
      return;
    }
    const trash = byRole(mail.mailboxes, "trash");
    if (action === "archive") return bulkMove(ids, byRole(mail.mailboxes, "archive")?.id);
    if (action === "delete" && trash && mail.selected !== trash.id) return bulkMove(ids, trash.id);
    if (action === "delete") {
      const n = ids.length;
      if (!confirm(`Delete ${n} message${n > 1 ? "s" : ""} from Trash? Deleted mail is kept for 30 days for recovery.`)) return;
      const result = await mail.client.call("Email/set", { destroy: ids });
      if (result.notDestroyed) throw new Error("Some messages could not be deleted.");
      return afterBulk("Deleted. Deleted mail is kept for 30 days in case you need it back.");
    }
    await bulkSet(bulkPatch(ids, action, (id) => mail.list?.get(id)?.mailboxIds ?? {}, target));
    await afterBulk(DONE[action]);
  }

  async function bulkMove(ids: Id[], target: Id | undefined): Promise<void> {
    if (!target || !ids.length) return;
    const update: Record<Id, PatchObject> = {};
    for (const id of ids) update[id] = movePatch(mail.list?.get(id)?.mailboxIds ?? { [mail.selected ?? ""]: true }, target);
    await bulkSet(update);
    const mailbox = mail.mailboxes.find((m) => m.id === target);
    await afterBulk(`Moved ${ids.length} to ${mailbox ? displayName(mailbox) : "the mailbox"}.`);
  }

  async function bulkSet(update: Record<Id, PatchObject>): Promise<void> {
    const result = await mail.client.call("Email/set", { update });
    const failed = Object.values(result.notUpdated ?? {})[0];
    if (failed) throw new Error(failed.description ?? `That did not work (${failed.type}).`);
  }

  async function afterBulk(done: string): Promise<void> {
    selection.clear();
    if (mail.open && !mail.list?.get(mail.open.id)) mail.closeReader();
    await mail.refresh({ Email: "", Mailbox: "" });
    if (mail.open && !mail.list?.get(mail.open.id)) mail.closeReader();
    mail.say(done);
  }

  return { tick, bulk, bulkMove };
}
