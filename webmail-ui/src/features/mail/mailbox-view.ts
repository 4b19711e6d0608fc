/** The mailbox tree as a list of buttons with unread counts. */
import type { Id } from "../../api/jmap";
import { h, srOnly } from "../../lib/dom";
import { displayName, flatten, type MailboxNode } from "./mailboxes";

export function renderMailboxes(
  container: HTMLElement,
  tree: readonly MailboxNode[],
  selected: Id | null,
  onSelect: (id: Id) => void,
): void {
  const items = flatten(tree).map(({ mailbox, depth }) => {
    const unread = mailbox.unreadEmails;
    const button = h(
      "button",
      {
        type: "button",
        class: `mailbox${unread ? " has-unread" : ""}`,
        "aria-current": mailbox.id === selected ? "true" : undefined,
        "data-id": mailbox.id,
      },
      h("span", { class: "mailbox-name" }, displayName(mailbox)),
      unread ? h("span", { class: "count" }, String(unread), srOnly(" unread")) : null,
    );
    // CSSOM, not a style attribute, so a strict style-src CSP still allows it.
    button.style.setProperty("--depth", String(depth));
    button.addEventListener("click", () => onSelect(mailbox.id));
    return h("li", {}, button);
  });
  container.replaceChildren(h("ul", { class: "mailboxes" }, ...items));
}
