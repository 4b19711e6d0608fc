/** The mailbox tree as a list of buttons with unread counts. */
import type { Id } from "../../api/jmap";
import { h, srOnly } from "../../lib/dom";
import { DRAG_TYPE } from "./list-view";
import { displayName, flatten, type MailboxNode } from "./mailboxes";

export function renderMailboxes(
  container: HTMLElement,
  tree: readonly MailboxNode[],
  selected: Id | null,
  onSelect: (id: Id) => void,
  onDrop?: (id: Id, emailIds: Id[]) => void,
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
    if (onDrop) acceptDrops(button, (ids) => onDrop(mailbox.id, ids));
    return h("li", {}, button);
  });
  container.replaceChildren(h("ul", { class: "mailboxes" }, ...items));
}

/** Rows dragged from the message list (DRAG_TYPE: a JSON array of ids) dropped on a mailbox. */
function acceptDrops(target: HTMLElement, onDrop: (ids: Id[]) => void): void {
  const carries = (event: DragEvent) => event.dataTransfer?.types.includes(DRAG_TYPE) ?? false;
  target.addEventListener("dragover", (event) => {
    if (!carries(event)) return;
    event.preventDefault();
    target.classList.add("drop-target");
  });
  target.addEventListener("dragleave", () => target.classList.remove("drop-target"));
  target.addEventListener("drop", (event) => {
    target.classList.remove("drop-target");
    const data = event.dataTransfer?.getData(DRAG_TYPE);
    if (!data) return;
    event.preventDefault();
    const ids: unknown = JSON.parse(data);
    if (Array.isArray(ids)) onDrop(ids.filter((id): id is Id => typeof id === "string"));
  });
}
