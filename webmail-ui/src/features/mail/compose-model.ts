/**
 * Drafting and sending (RFC 8621 4.6, 7.5): address parsing, the reply's,
 * reply-all's and forward's recipients, subject, quote and threading headers,
 * and the one request that creates the draft, submits it and files it
 * Drafts -> Sent on success.
 */
import type { Email, EmailAddress, EmailCreate, Id, Identity, JmapClient } from "../../api/jmap";

/** A file already uploaded (or part of another message), sent by blobId. */
export interface Attachment {
  blobId: Id;
  name: string;
  type: string;
  size: number;
}

export interface Draft {
  to: string;
  cc?: string;
  subject: string;
  body: string;
  attachments?: Attachment[];
  /** The saved version in Drafts, replaced on each save and destroyed on send. */
  draftId?: Id;
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

/** "Ann <ann@x.org>, bob@y.org" -> addresses, skipping parts that have none (for drafts). */
export function parseAddressesLoosely(text: string): EmailAddress[] {
  return text.split(/[,;](?=(?:[^"]*"[^"]*")*[^"]*$)/).flatMap((part) => {
    try {
      return parseAddresses(part);
    } catch {
      return [];
    }
  });
}

export function replySubject(subject: string): string {
  return /^\s*re:/i.test(subject) ? subject.trim() : `Re: ${subject.trim()}`;
}

export function forwardSubject(subject: string): string {
  return /^\s*(fwd?|fw):/i.test(subject) ? subject.trim() : `Fwd: ${subject.trim()}`;
}

/** Addresses with `exclude` and repeats (compared case-insensitively) left out. */
export function uniqueAddresses(addresses: EmailAddress[], exclude: Iterable<string> = []): EmailAddress[] {
  const seen = new Set([...exclude].map((e) => e.toLowerCase()));
  return addresses.filter((a) => {
    const key = a.email.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
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

/**
 * A reply to everyone: the sender (or Reply-To) and the other To addresses in
 * To, Cc kept as Cc, the user's own addresses (`own`) and repeats dropped.
 */
export function replyAllDraft(email: Email, text: string, own: string[]): Draft {
  const draft = replyDraft(email, text);
  const sender = email.replyTo?.length ? email.replyTo : (email.from ?? []);
  let to = uniqueAddresses([...sender, ...(email.to ?? [])], own);
  // Answering one's own message: keep its recipients rather than an empty To.
  if (to.length === 0) to = uniqueAddresses(email.to ?? []);
  const cc = uniqueAddresses(email.cc ?? [], [...own, ...to.map((a) => a.email)]);
  draft.to = to.map(formatAddress).join(", ");
  if (cc.length) draft.cc = cc.map(formatAddress).join(", ");
  return draft;
}

/** A forward: no recipients, "Fwd:" subject, the original quoted with its headers and files. */
export function forwardDraft(email: Email, text: string): Draft {
  const list = (addresses: EmailAddress[] | null | undefined) => (addresses ?? []).map(formatAddress).join(", ");
  const header = [
    "---------- Forwarded message ----------",
    `From: ${list(email.from)}`,
    `Date: ${email.sentAt ?? email.receivedAt ?? ""}`,
    `Subject: ${email.subject ?? ""}`,
    `To: ${list(email.to)}`,
    ...(email.cc?.length ? [`Cc: ${list(email.cc)}`] : []),
  ];
  const attachments = (email.attachments ?? []).flatMap((part) =>
    part.blobId
      ? [{ blobId: part.blobId, name: part.name ?? "attachment", type: part.type, size: part.size }]
      : [],
  );
  const draft: Draft = {
    to: "",
    subject: forwardSubject(email.subject ?? ""),
    body: `\n\n${header.join("\n")}\n\n${text.replace(/\r\n/g, "\n")}`,
  };
  if (attachments.length) draft.attachments = attachments;
  return draft;
}

/** The Email/set create; `loose` skips unparsable addresses, for an unfinished draft. */
export function emailCreate(draft: Draft, identity: Identity, draftsId: Id, loose = false): EmailCreate {
  const parse = loose ? parseAddressesLoosely : parseAddresses;
  const create: EmailCreate = {
    mailboxIds: { [draftsId]: true },
    keywords: { $draft: true, $seen: true },
    from: [{ name: identity.name || null, email: identity.email }],
    to: parse(draft.to),
    subject: draft.subject,
    textBody: [{ partId: "body", type: "text/plain" }],
    bodyValues: { body: { value: draft.body } },
  };
  const cc = parse(draft.cc ?? "");
  if (cc.length) create.cc = cc;
  if (draft.attachments?.length) {
    create.attachments = draft.attachments.map((a) => ({
      blobId: a.blobId,
      type: a.type || "application/octet-stream",
      name: a.name,
      disposition: "attachment",
    }));
  }
  if (draft.inReplyTo) create.inReplyTo = draft.inReplyTo;
  if (draft.references) create.references = draft.references;
  return create;
}

export interface Folders {
  drafts: Id;
  sent: Id;
}

/**
 * Sends in one request; resolves to the sent Email's id or rejects with the
 * reason. A draft already saved (`draftId`) is submitted as it is and moved to
 * Sent, so no copy is left in Drafts and a refused send loses nothing;
 * otherwise the draft is created first in the same request.
 */
export async function sendDraft(
  client: JmapClient,
  draft: Draft,
  identity: Identity,
  folders: Folders,
): Promise<Id> {
  const create = emailCreate(draft, identity, folders.drafts);
  if (create.to.length + (create.cc?.length ?? 0) === 0) throw new Error("Add at least one recipient.");
  const batch = client.batch();
  const set = draft.draftId ? undefined : batch.call("Email/set", { create: { draft: create } });
  const submit = batch.call("EmailSubmission/set", {
    create: { send: { emailId: draft.draftId ?? "#draft", identityId: identity.id } },
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
  const failed = set?.response.notCreated?.["draft"];
  if (failed) throw new Error(failed.description ?? `The message could not be saved (${failed.type}).`);
  const notSent = submit.response.notCreated?.["send"];
  if (notSent) throw new Error(notSent.description ?? `The message could not be sent (${notSent.type}).`);
  const id = draft.draftId ?? set?.response.created?.["draft"]?.id;
  if (!id) throw new Error("The server did not say which message it saved.");
  return id;
}

/**
 * Saves `draft` in Drafts ($draft), destroying its previous version in the same
 * Email/set; resolves to the new version's id.
 */
/**
 * Saves a new version of the draft, replacing the last. Sent keepalive, so a save
 * started as the tab closes still reaches the server.
 */
export async function saveDraft(client: JmapClient, draft: Draft, identity: Identity, draftsId: Id): Promise<Id> {
  const batch = client.batch();
  const call = batch.call("Email/set", {
    create: { draft: emailCreate(draft, identity, draftsId, true) },
    ...(draft.draftId ? { destroy: [draft.draftId] } : {}),
  });
  await batch.send(undefined, true);
  const result = call.response;
  const failed = result.notCreated?.["draft"];
  if (failed) throw new Error(failed.description ?? `The draft could not be saved (${failed.type}).`);
  const id = result.created?.["draft"]?.id;
  if (!id) throw new Error("The server did not say which draft it saved.");
  return id;
}

/** The body with the identity's signature above any quote, after the RFC 3676 4.3 "-- " line. */
export function withSignature(draft: Draft, signature: string | undefined): Draft {
  const text = signature?.replace(/\r\n/g, "\n").trim();
  if (!text) return draft;
  const body = draft.body.startsWith("\n") ? draft.body : `\n${draft.body}`;
  return { ...draft, body: `\n\n-- \n${text}${body}` };
}

/** Whether a draft holds anything worth keeping. */
export function isBlank(draft: Draft): boolean {
  return !draft.to.trim() && !(draft.cc ?? "").trim() && !draft.subject.trim() && !draft.body.trim() && !draft.attachments?.length;
}
