/** The compose form: To, Subject, Message, Send and Discard. */
import { field, h, textareaField } from "../../lib/dom";
import type { Draft } from "./compose-model";

export interface ComposeView {
  root: HTMLElement;
  form: HTMLFormElement;
  to: HTMLInputElement;
  subject: HTMLInputElement;
  body: HTMLTextAreaElement;
  send: HTMLButtonElement;
  discard: HTMLButtonElement;
  alert: HTMLElement;
}

export function composeView(draft: Draft, from: string): ComposeView {
  const to = field("To", { name: "to", type: "text", autocomplete: "email", spellcheck: "false", required: true });
  const subject = field("Subject", { name: "subject", type: "text" });
  const body = textareaField("Message", { name: "body", rows: "14" });
  to.input.value = draft.to;
  subject.input.value = draft.subject;
  body.input.value = draft.body;
  const alert = h("p", { class: "alert", role: "alert" });
  const send = h("button", { type: "submit", class: "primary" }, "Send");
  const discard = h("button", { type: "button", class: "secondary" }, "Discard");
  const form = h(
    "form",
    { class: "stack compose-form", "aria-labelledby": "compose-heading" },
    h("p", { class: "muted" }, `From ${from}`),
    to.wrapper,
    subject.wrapper,
    body.wrapper,
    alert,
    h("div", { class: "actions" }, send, discard),
  );
  const root = h(
    "section",
    { class: "compose", role: "dialog", "aria-modal": "false", "aria-labelledby": "compose-heading" },
    h("h2", { id: "compose-heading" }, draft.replyToEmailId ? "Reply" : "New message"),
    form,
  );
  return { root, form, to: to.input, subject: subject.input, body: body.input, send, discard, alert };
}
