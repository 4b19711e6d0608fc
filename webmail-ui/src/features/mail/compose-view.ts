/** The compose form: To, Cc, Subject, Message, attachments, Send and Discard. */
import "./compose.css";
import { field, h, textareaField } from "../../lib/dom";
import type { Attachment, Draft } from "./compose-model";
import { byteSize } from "./format";

export type ComposeKind = "new" | "reply" | "reply-all" | "forward";

const HEADINGS: Record<ComposeKind, string> = {
  new: "New message",
  reply: "Reply",
  "reply-all": "Reply all",
  forward: "Forward",
};

export interface ComposeView {
  root: HTMLElement;
  form: HTMLFormElement;
  to: HTMLInputElement;
  cc: HTMLInputElement;
  subject: HTMLInputElement;
  body: HTMLTextAreaElement;
  files: HTMLInputElement;
  attachments: HTMLUListElement;
  saved: HTMLElement;
  send: HTMLButtonElement;
  discard: HTMLButtonElement;
  alert: HTMLElement;
}

export function composeView(draft: Draft, from: string, kind: ComposeKind): ComposeView {
  const to = field("To", { name: "to", type: "text", autocomplete: "email", spellcheck: "false", required: true });
  const cc = field("Cc", { name: "cc", type: "text", autocomplete: "email", spellcheck: "false" });
  const subject = field("Subject", { name: "subject", type: "text" });
  const body = textareaField("Message", { name: "body", rows: "14" });
  to.input.value = draft.to;
  cc.input.value = draft.cc ?? "";
  subject.input.value = draft.subject;
  body.input.value = draft.body;
  const files = h("input", { type: "file", multiple: true, class: "sr-only", id: "compose-files" });
  const attach = h("label", { for: "compose-files", class: "button secondary attach" }, "Attach files");
  const attachments = h("ul", { class: "attachments", "aria-label": "Attachments" });
  const saved = h("p", { class: "muted saved", "aria-live": "polite" });
  const alert = h("p", { class: "alert", role: "alert" });
  const send = h("button", { type: "submit", class: "primary" }, "Send");
  const discard = h("button", { type: "button", class: "secondary" }, "Discard");
  const form = h(
    "form",
    { class: "stack compose-form", "aria-labelledby": "compose-heading" },
    h("p", { class: "muted" }, `From ${from}`),
    to.wrapper,
    cc.wrapper,
    subject.wrapper,
    body.wrapper,
    h("div", { class: "attach-row" }, files, attach, h("span", { class: "muted" }, "or drop files here")),
    attachments,
    alert,
    h("div", { class: "actions" }, send, discard, saved),
  );
  const root = h(
    "section",
    { class: "compose", role: "dialog", "aria-modal": "false", "aria-labelledby": "compose-heading" },
    h("h2", { id: "compose-heading" }, HEADINGS[kind]),
    form,
  );
  return {
    root, form, to: to.input, cc: cc.input, subject: subject.input, body: body.input,
    files, attachments, saved, send, discard, alert,
  };
}

/** One attachment row: name, size or upload progress, and Remove. */
export function attachmentItem(
  file: Pick<Attachment, "name" | "size">,
  onRemove: () => void,
): { item: HTMLLIElement; progress: HTMLProgressElement } {
  const progress = h("progress", { max: "1", value: "0", "aria-label": `Uploading ${file.name}` });
  const remove = h("button", { type: "button", class: "secondary small", "aria-label": `Remove ${file.name}` }, "Remove");
  remove.addEventListener("click", onRemove);
  const item = h("li", {}, h("span", { class: "name" }, file.name), h("span", { class: "muted" }, byteSize(file.size)), progress, remove);
  return { item, progress };
}

/** The "Sending… Undo" toast; resolves the click through `onUndo`. */
export function undoToast(onUndo: () => void): HTMLElement {
  const undo = h("button", { type: "button", class: "secondary small" }, "Undo");
  undo.addEventListener("click", onUndo);
  return h("div", { class: "toast", role: "status" }, h("span", {}, "Sending…"), undo);
}
