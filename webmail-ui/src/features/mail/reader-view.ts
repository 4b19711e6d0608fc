/** The reading pane: headers, actions, the body (plain text or sandboxed HTML), attachments. */
import type { Email, EmailBodyPart } from "../../api/jmap";
import { h } from "../../lib/dom";
import { byteSize, headerText, longDate, people, personName } from "./format";
import { sanitizeMail } from "./sanitize";

export interface ReaderActions {
  onBack(): void;
  onReply(): void;
  onReplyAll(): void;
  onForward(): void;
  onToggleFlag(): void;
  onMarkUnread(): void;
  onArchive(): void;
  onDelete(): void;
  onShowImages(): void;
  /** Trust the sender: their remote images load from now on, in every browser. */
  onAlwaysShowImages(): void;
}

export interface ReaderOptions {
  allowImages: boolean;
  /** The sender's address when images from them can be always allowed; "" when not. */
  trustableSender: string;
  canArchive: boolean;
  inTrash: boolean;
  downloadUrl(part: EmailBodyPart): string;
}

export function emptyReader(): HTMLElement {
  return h("div", { class: "reader-empty muted" }, "Select a message to read it.");
}

export function readerView(email: Email, actions: ReaderActions, options: ReaderOptions): HTMLElement {
  const flagged = email.keywords?.["$flagged"] === true;
  const button = (label: string, onClick: () => void, attrs: Record<string, string> = {}) => {
    const el = h("button", { type: "button", class: "secondary", ...attrs }, label);
    el.addEventListener("click", onClick);
    return el;
  };
  const toolbar = h(
    "div",
    { class: "toolbar", role: "toolbar", "aria-label": "Message actions" },
    button("Back", actions.onBack, { class: "secondary back-button" }),
    button("Reply", actions.onReply),
    button("Reply all", actions.onReplyAll),
    button("Forward", actions.onForward),
    button(flagged ? "Unflag" : "Flag", actions.onToggleFlag, { "aria-pressed": String(flagged) }),
    button("Mark unread", actions.onMarkUnread),
    options.canArchive ? button("Archive", actions.onArchive) : null,
    button(options.inTrash ? "Delete forever" : "Delete", actions.onDelete),
  );

  const headerRow = (label: string, value: string) =>
    value ? h("div", { class: "header-row" }, h("dt", {}, label), h("dd", {}, value)) : null;
  const from = email.from?.[0];
  const headers = h(
    "dl",
    { class: "headers" },
    headerRow("From", from ? `${personName(from)} <${from.email}>` : ""),
    headerRow("To", people(email.to ?? [])),
    headerRow("Cc", people(email.cc ?? [])),
    headerRow("Date", longDate(email.sentAt ?? email.receivedAt ?? "")),
  );

  return h(
    "article",
    { class: "reader", "aria-labelledby": "reader-subject" },
    toolbar,
    h("h2", { id: "reader-subject", class: "reader-subject" }, email.subject || "(no subject)"),
    headers,
    rawHeaders(email),
    attachmentList(email.attachments ?? [], options),
    body(email, actions, options),
  );
}

function rawHeaders(email: Email): HTMLElement | null {
  if (!email.headers?.length) return null;
  return h(
    "details",
    { class: "raw-headers" },
    h("summary", {}, "Show headers"),
    h("pre", { "aria-label": "Message headers" }, headerText(email.headers)),
  );
}

function attachmentList(parts: readonly EmailBodyPart[], options: ReaderOptions): HTMLElement | null {
  const files = parts.filter((p) => p.blobId);
  if (!files.length) return null;
  return h(
    "ul",
    { class: "attachments", "aria-label": "Attachments" },
    ...files.map((part) => {
      const name = part.name || "attachment";
      return h(
        "li",
        {},
        h("a", { href: options.downloadUrl(part), download: name }, `${name}`),
        h("span", { class: "muted" }, ` ${byteSize(part.size)}`),
      );
    }),
  );
}

/** The text of the parts of one kind, in order. */
export function partsText(email: Email, parts: readonly EmailBodyPart[] | undefined, type: string): string | null {
  const chosen = (parts ?? []).filter((p) => p.type === type && p.partId && email.bodyValues?.[p.partId]);
  if (!chosen.length) return null;
  return chosen.map((p) => email.bodyValues?.[p.partId!]?.value ?? "").join("\n");
}

function body(email: Email, actions: ReaderActions, options: ReaderOptions): HTMLElement {
  const html = partsText(email, email.htmlBody, "text/html");
  if (html === null) {
    return h("div", { class: "plain" }, ...linkified(partsText(email, email.textBody, "text/plain") ?? ""));
  }
  const safe = sanitizeMail(html, options.allowImages);
  const frame = h("iframe", {
    class: "html-body",
    title: "Message body",
    // No allow-scripts and no allow-same-origin: the mail runs nothing and reads nothing of ours.
    sandbox: "allow-popups allow-popups-to-escape-sandbox",
    referrerpolicy: "no-referrer",
  });
  frame.srcdoc = safe.document;
  let notice: HTMLElement | null = null;
  if (safe.blockedImages > 0) {
    const show = h("button", { type: "button", class: "secondary" }, "Show images");
    show.addEventListener("click", actions.onShowImages);
    let always: HTMLElement | null = null;
    if (options.trustableSender) {
      always = h("button", { type: "button", class: "secondary" }, `Always show images from ${options.trustableSender}`);
      always.addEventListener("click", actions.onAlwaysShowImages);
    }
    notice = h(
      "div",
      { class: "images-blocked", role: "note" },
      h("span", {}, `Remote images are blocked to protect your privacy.`),
      show,
      always,
    );
  }
  return h("div", { class: "html-wrap" }, notice, frame);
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"')\]]+/g;

/** Text nodes and links for a plain-text body; never parsed as HTML. */
export function linkified(text: string): (Node | string)[] {
  const out: (Node | string)[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = match[0].replace(/[.,;:!?]+$/, "");
    const at = match.index;
    out.push(text.slice(last, at));
    out.push(h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, url));
    last = at + url.length;
  }
  out.push(text.slice(last));
  return out;
}
