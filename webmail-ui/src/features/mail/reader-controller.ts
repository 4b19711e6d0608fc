/**
 * The reading pane: opens a message (Email/get with its bodies, RFC 8621 4.2), marks it
 * read, and draws it with the actions that apply where it is.
 */
import type { Id } from "../../api/jmap";
import type { MailContext, ReaderOps } from "./mail-context";
import { byRole } from "./mailboxes";
import { SUMMARY_PROPERTIES } from "./message-list";
import { emptyReader, readerView } from "./reader-view";
import { senderKey } from "./image-senders";
import { showPane } from "./shell-view";

const FULL_PROPERTIES = [
  ...SUMMARY_PROPERTIES,
  "cc",
  "replyTo",
  "sentAt",
  "messageId",
  "inReplyTo",
  "references",
  "textBody",
  "htmlBody",
  "attachments",
  "bodyValues",
  "headers",
];

export function readerOps(mail: MailContext): ReaderOps {
  const { shell, listView } = mail;

  async function openEmail(id: Id): Promise<void> {
    const ticket = ++mail.paneTicket;
    const started = performance.now();
    const summary = mail.list?.get(id);
    listView.select(id);
    const markRead = summary && !summary.keywords["$seen"];
    // The $seen write is its own request: the message draws as soon as Email/get
    // answers instead of waiting for the write's commit (the open budget is 100 ms).
    if (markRead) void mail.guard(setSeen(id));
    const [got] = await Promise.all([
      mail.client.call("Email/get", {
        ids: [id],
        properties: FULL_PROPERTIES,
        fetchTextBodyValues: true,
        fetchHTMLBodyValues: true,
        maxBodyValueBytes: 2_000_000,
      }),
      mail.imagesKnown,
    ]);
    if (ticket !== mail.paneTicket) return;
    const fetched = got.list[0];
    if (!fetched) {
      mail.say("That message is no longer there.");
      return;
    }
    // The get may have run before the write: show it read either way.
    const email = markRead ? { ...fetched, keywords: { ...fetched.keywords, $seen: true } } : fetched;
    mail.open = email;
    mail.list?.patch(id, { keywords: email.keywords ?? {} });
    listView.sync(mail.list?.items ?? [], [id], mail.list?.total, mail.list?.far);
    listView.select(id);
    drawReader();
    showPane(shell, "reader");
    performance.measure("sealbox:open-message", { start: started });
  }

  async function setSeen(id: Id): Promise<void> {
    const result = await mail.client.call("Email/set", { update: { [id]: { "keywords/$seen": true } } });
    if (result.notUpdated?.[id]) mail.say("The message could not be marked read.");
  }

  function drawReader(): void {
    if (!mail.open) return;
    mail.leaveCompose();
    const email = mail.open;
    const trash = byRole(mail.mailboxes, "trash");
    const archive = byRole(mail.mailboxes, "archive");
    const { imageSenders, client } = mail;
    shell.reader.replaceChildren(
      readerView(
        email,
        {
          onBack: () => showPane(shell, "list"),
          onReply: () => mail.answer(email, "reply"),
          onReplyAll: () => mail.answer(email, "reply-all"),
          onForward: () => mail.answer(email, "forward"),
          onToggleFlag: () => void mail.guard(mail.setKeyword(email.id, "$flagged", !email.keywords?.["$flagged"])),
          onMarkUnread: () => void mail.guard(mail.setKeyword(email.id, "$seen", false)),
          onArchive: () => archive && void mail.guard(mail.moveTo(email, archive.id, "Archived.")),
          onDelete: () => void mail.guard(mail.remove(email)),
          onShowImages: () => {
            mail.allowImages.add(email.id);
            drawReader();
          },
          onAlwaysShowImages: () => void mail.guard(mail.trustSender(email)),
        },
        {
          allowImages: mail.allowImages.has(email.id) || !!imageSenders?.trusts(email),
          trustableSender: imageSenders?.supported ? senderKey(email) : "",
          canArchive: !!archive && mail.selected !== archive.id,
          inTrash: !!trash && mail.selected === trash.id,
          downloadUrl: (part) => client.downloadUrl(part.blobId ?? "", part.name ?? "attachment", part.type),
        },
      ),
    );
  }

  function closeReader(): void {
    mail.leaveCompose();
    mail.open = undefined;
    listView.select(null);
    shell.reader.replaceChildren(emptyReader());
  }

  return { openEmail, drawReader, closeReader };
}
