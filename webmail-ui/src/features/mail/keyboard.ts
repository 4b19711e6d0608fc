/**
 * The mail shortcuts (j/k, e, #, x, /, c, r/a/f, ?), as Gmail users expect them; quiet
 * while the user types, while Settings or a dialog is open, and with modifier keys.
 */
import type { MailContext } from "./mail-context";
import { byRole } from "./mailboxes";
import { shortcutHelp } from "./shortcuts";

export function keyHandler(mail: MailContext): (event: KeyboardEvent) => void {
  const { shell, listView } = mail;
  return (event) => {
    if (mail.settings || document.querySelector("dialog.shortcut-help[open], dialog.recover[open]")) return;
    const target = event.target as HTMLElement | null;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target && (target.closest("input, textarea, select, [contenteditable]") || target.isContentEditable)) return;
    const items = mail.list?.items ?? [];
    const open = mail.open;
    if (event.key === "j" || event.key === "k") {
      // From the open message (loaded from the top or far down the list), else the first.
      const step = event.key === "j" ? 1 : -1;
      const known = open && mail.list?.get(open.id) ? open : undefined;
      // k on the first row stays on it; j on the last does nothing.
      const next = known ? (mail.list?.neighbour(known.id, step) ?? (step === -1 ? known : undefined)) : items[0];
      if (next) {
        event.preventDefault();
        listView.focus(next.id);
        void mail.guard(mail.openEmail(next.id));
      }
    } else if (event.key === "?") {
      event.preventDefault();
      if (document.querySelector("dialog.shortcut-help")) return;
      const help = shortcutHelp();
      shell.root.append(help);
      help.showModal();
    } else if (event.key === "e" && open) {
      const archive = byRole(mail.mailboxes, "archive");
      if (archive && mail.selected !== archive.id) {
        event.preventDefault();
        void mail.guard(mail.moveTo(open, archive.id, "Archived."));
      }
    } else if (event.key === "#" && open) {
      event.preventDefault();
      void mail.guard(mail.remove(open));
    } else if (event.key === "x") {
      const row = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>("li[data-id]");
      const id = row?.dataset["id"] ?? open?.id;
      if (id) {
        event.preventDefault();
        mail.tick(id, event.shiftKey);
      }
    } else if (event.key === "/") {
      event.preventDefault();
      shell.search.focus();
      shell.search.select();
    } else if (event.key === "c") {
      event.preventDefault();
      mail.startCompose({ to: "", subject: "", body: "" }, "new");
    } else if ((event.key === "r" || event.key === "a" || event.key === "f") && open) {
      event.preventDefault();
      mail.answer(open, event.key === "r" ? "reply" : event.key === "a" ? "reply-all" : "forward");
    }
  };
}
