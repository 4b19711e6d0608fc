/**
 * Drafting and sending (RFC 8621 4.6, 7.5): address parsing, the reply's
 * subject, quote and threading headers, and the one request that creates the
 * draft, submits it and files it Drafts -> Sent on success.
 */
import type { Email, EmailAddress, EmailCreate, Id, Identity, JmapClient } from "../../api/jmap";

export interface Draft {
  to: string;
  subject: string;
  body: string;
  inReplyTo?: string[];
  references?: string[];
  /** The message being answered, to mark $answered once sent. */
  replyToEmailId?: Id;
}

/** "Ann <ann@x.org>, bob@y.org" -> addresses; throws on a part that has no address. */
export function parseAddresses(text: string): EmailAddress[] {
  const parts = text.split(/[,;](?=(?:[^"]*"[^"]*")*[^"]*$)/).map((p) => p.trim()).filter(Boolean);
  return parts.map((part) => {
    const angle = /^(.*?)\s*<([^<>\s]+@[^<>\s]+)>$/.exec(part);
    if (angle) {
      const name = angle[1]!.trim().replace(/^"(.*)"$/, "$1").trim();
      return { name: name || null, email: angle[2]! };
    }
    if (/^[^\s@<>]+@[^\s@<>]+$/.test(part)) return { name: null, email: part };
    throw new Error(`"${part}" is not an email address`);
  });
}

export function formatAddress(address: EmailAddress): string {
  if (!address.name) return address.email;
  const name = /[",;<>@]/.test(address.name) ? `"${address.name.replace(/"/g, "")}"` : address.name;
  return `${name} <${address.email}>`;
}

export function replySubject(subject: string): string {
  return /^\s*re:/i.test(subject) ? subject.trim() : `Re: ${subject.trim()}`;
}

/** The original text, each line prefixed "> ", under an attribution line. */
export function quote(text: string, from: EmailAddress | undefined, sentAt: string | undefined): string {
  const who = from ? formatAddress(from) : "someone";
  const when = sentAt ? new Date(sentAt) : undefined;
  const date = when && !Number.isNaN(when.getTime()) ? `On ${when.toUTCString()}, ` : "";
  const lines = text.replace(/\r\n/g, "\n").replace(/\n+$/, "").split("\n");
  return `\n\n${date}${who} wrote:\n${lines.map((line) => (line.startsWith(">") ? `>${line}` : `> ${line}`)).join("\n")}\n`;
}

/** A reply to `email` whose plain text is `text`: to Reply-To or From, threaded. */
export function replyDraft(email: Email, text: string): Draft {
  const recipients = email.replyTo?.length ? email.replyTo : (email.from ?? []);
  const messageIds = email.messageId ?? [];
  const draft: Draft = {
    to: recipients.map(formatAddress).join(", "),
    subject: replySubject(email.subject ?? ""),
    body: quote(text, email.from?.[0], email.sentAt ?? email.receivedAt),
    replyToEmailId: email.id,
  };
  if (messageIds.length) {
    draft.inReplyTo = messageIds;
    draft.references = [...(email.references ?? []), ...messageIds];
  }
  return draft;
}

export function emailCreate(draft: Draft, identity: Identity, draftsId: Id): EmailCreate {
  const create: EmailCreate = {
    mailboxIds: { [draftsId]: true },
    keywords: { $draft: true, $seen: true },
    from: [{ name: identity.name || null, email: identity.email }],
    to: parseAddresses(draft.to),
    subject: draft.subject,
    textBody: [{ partId: "body", type: "text/plain" }],
    bodyValues: { body: { value: draft.body } },
  };
  if (draft.inReplyTo) create.inReplyTo = draft.inReplyTo;
  if (draft.references) create.references = draft.references;
  return create;
}

export interface Folders {
  drafts: Id;
  sent: Id;
}

/** Sends in one request; resolves to the sent Email's id or rejects with the reason. */
export async function sendDraft(
  client: JmapClient,
  draft: Draft,
  identity: Identity,
  folders: Folders,
): Promise<Id> {
  const create = emailCreate(draft, identity, folders.drafts);
  if (create.to.length === 0) throw new Error("Add at least one recipient.");
  const batch = client.batch();
  const set = batch.call("Email/set", { create: { draft: create } });
  const submit = batch.call("EmailSubmission/set", {
    create: { send: { emailId: "#draft", identityId: identity.id } },
    onSuccessUpdateEmail: {
      "#send": {
        [`mailboxIds/${folders.drafts}`]: null,
        [`mailboxIds/${folders.sent}`]: true,
        "keywords/$draft": null,
      },
    },
  });
  if (draft.replyToEmailId) {
    batch.call("Email/set", { update: { [draft.replyToEmailId]: { "keywords/$answered": true } } });
  }
  await batch.send();
  const failed = set.response.notCreated?.["draft"];
  if (failed) throw new Error(failed.description ?? `The message could not be saved (${failed.type}).`);
  const notSent = submit.response.notCreated?.["send"];
  if (notSent) throw new Error(notSent.description ?? `The message could not be sent (${notSent.type}).`);
  const id = set.response.created?.["draft"]?.id;
  if (!id) throw new Error("The server did not say which message it saved.");
  return id;
}
