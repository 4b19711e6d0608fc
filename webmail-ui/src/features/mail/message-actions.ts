/**
 * What the user does to one message (flag, mark, archive, delete: Email/set, RFC 8621
 * 4.6), to the Trash as a whole (Empty Trash), and the deleted-mail dialog.
 */
import type { Email, Id, PatchObject } from "../../api/jmap";
import { emptyMailbox } from "./empty-trash";
import { senderKey } from "./image-senders";
import type { ActionOps, MailContext } from "./mail-context";
import { byRole, MAILBOX_PROPERTIES } from "./mailboxes";
import { canRecover } from "./recover-model";
import { openRecover } from "./recover-view";
import { isEmptySearch } from "./search";

export function actionOps(mail: MailContext): ActionOps {
  const { listView, shell } = mail;

  async function update(id: Id, patch: PatchObject): Promise<void> {
    const batch = mail.client.batch();
    const set = batch.call("Email/set", { update: { [id]: patch } });
    const boxes = batch.call("Mailbox/get", { ids: null, properties: MAILBOX_PROPERTIES });
    await batch.send();
    const failed = set.response.notUpdated?.[id];
    if (failed) throw new Error(failed.description ?? `That did not work (${failed.type}).`);
    mail.mailboxes = boxes.response.list;
    mail.drawMailboxes();
  }

  async function setKeyword(id: Id, keyword: string, on: boolean): Promise<void> {
    await update(id, { [`keywords/${keyword}`]: on ? true : null });
    const keywords = { ...(mail.open?.id === id ? mail.open.keywords : mail.list?.get(id)?.keywords) };
    if (on) keywords[keyword] = true;
    else delete keywords[keyword];
    mail.list?.patch(id, { keywords });
    listView.sync(mail.list?.items ?? [], [id], mail.list?.total, mail.list?.far);
    if (mail.open?.id === id) {
      mail.open = { ...mail.open, keywords };
      mail.drawReader();
    }
    mail.say(keyword === "$flagged" ? (on ? "Flagged." : "Unflagged.") : on ? "Marked read." : "Marked unread.");
  }

  async function moveTo(email: Email, target: Id, done: string): Promise<void> {
    const patch: PatchObject = { [`mailboxIds/${target}`]: true };
    for (const id of Object.keys(email.mailboxIds ?? {})) if (id !== target) patch[`mailboxIds/${id}`] = null;
    const next = neighbour(email.id, 1) ?? neighbour(email.id, -1);
    await update(email.id, patch);
    afterRemoval(email.id, next);
    mail.say(done);
  }

  async function remove(email: Email): Promise<void> {
    const trash = byRole(mail.mailboxes, "trash");
    if (trash && mail.selected !== trash.id) return moveTo(email, trash.id, "Moved to Trash.");
    const next = neighbour(email.id, 1) ?? neighbour(email.id, -1);
    const result = await mail.client.call("Email/set", { destroy: [email.id] });
    if (result.notDestroyed?.[email.id]) throw new Error("The message could not be deleted.");
    afterRemoval(email.id, next);
    mail.say("Deleted. Deleted mail is kept for 30 days in case you need it back.");
    await mail.loadMailboxes();
  }

  function afterRemoval(id: Id, next: Id | undefined): void {
    mail.list?.remove(id);
    listView.sync(mail.list?.items ?? [], [], mail.list?.total, mail.list?.far);
    listView.setMore(mail.list?.hasMore ?? false);
    if (next) void mail.guard(mail.openEmail(next));
    else mail.closeReader();
  }

  function neighbour(id: Id, step: 1 | -1): Id | undefined {
    return mail.list?.neighbour(id, step)?.id;
  }

  async function trustSender(email: Email): Promise<void> {
    const sender = senderKey(email);
    if (!mail.imageSenders || !sender) return;
    await mail.imageSenders.set(sender, true);
    if (mail.open?.id === email.id) mail.drawReader();
    mail.say(`Images from ${sender} will always be shown. You can change this in Settings.`);
  }

  async function emptyTrash(): Promise<void> {
    const trash = byRole(mail.mailboxes, "trash");
    if (!trash) return;
    const n = trash.totalEmails;
    const what = n === 1 ? "the 1 message" : `all ${n} messages`;
    if (!confirm(`Empty Trash? This deletes ${what} in Trash. Deleted mail is kept for 30 days for recovery.`)) return;
    listView.setEmptyTrash(true, true, canRecover(mail.client));
    try {
      const done = await emptyMailbox(mail.client, trash.id, (count) => mail.say(`Deleting… ${count} of ${n}`));
      mail.closeReader();
      mail.say(
        `Trash emptied (${done.destroyed + done.unfiled} messages). Deleted mail is kept for 30 days in case you need it back.`,
      );
    } finally {
      listView.setEmptyTrash(mail.selected === trash.id && isEmptySearch(mail.search), false, canRecover(mail.client));
      await mail.refresh({ Email: "", Mailbox: "" });
    }
  }

  /** The deleted-mail dialog; what it restores shows up by refresh (and push). */
  function recover(): void {
    if (document.querySelector("dialog.recover")) return;
    // Over Settings too, which hides the mail shell: a hidden dialog could not show.
    openRecover(shell.root.hidden ? document.body : shell.root, mail.client, (count) => {
      mail.say(`Restored ${count} message${count === 1 ? "" : "s"}.`);
      void mail.refresh({ Email: "", Mailbox: "" });
    });
  }

  return { setKeyword, moveTo, remove, trustSender, emptyTrash, recover };
}
