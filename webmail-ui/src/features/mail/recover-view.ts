/**
 * "Recover deleted mail": a modal dialog listing the mail the server still keeps after
 * deletion (urn:sealbox:retention), a page at a time from the server, with Restore per
 * message and for a ticked selection (ticks kept across pages). Per-message errors (over quota, already purged) show on their row.
 */
import type { Id, JmapClient } from "../../api/jmap";
import { h, srOnly } from "../../lib/dom";
import { longDate, personName } from "./format";
import { listDeleted, restore, retentionDays, type DeletedItem } from "./recover-model";

const PAGE = 50;

/** Opens the dialog over `host`; `onRestored` hears how many came back, after each restore. */
export function openRecover(host: HTMLElement, client: JmapClient, onRestored: (count: number) => void): HTMLDialogElement {
  let rows: DeletedItem[] = [];
  let page = 0;
  let pages = 1;
  let total = 0;
  const ticked = new Set<Id>();
  const errors = new Map<Id, string>();

  const status = h("p", { class: "recover-status", role: "status" }, "Loading…");
  const list = h("ul", { class: "recover-list" });
  const restoreSelected = h("button", { type: "button", disabled: true }, "Restore selected");
  const prev = h("button", { type: "button", class: "secondary" }, "Previous page");
  const next = h("button", { type: "button", class: "secondary" }, "Next page");
  const pageLabel = h("span", { class: "muted" });
  const close = h("button", { type: "button", class: "secondary" }, "Close");
  const pager = h("nav", { class: "recover-pager", "aria-label": "Pages of deleted mail" }, prev, pageLabel, next);
  const dialog = h(
    "dialog",
    { class: "recover", "aria-labelledby": "recover-title" },
    h("h2", { id: "recover-title" }, "Recover deleted mail"),
    h(
      "p",
      { class: "muted" },
      `Deleted mail is kept for ${retentionDays(client)} days, then destroyed for good. Restored mail goes back to the mailboxes it was in; mail emptied from the Trash goes to the Inbox.`,
    ),
    h("div", { class: "recover-actions", role: "toolbar", "aria-label": "Deleted messages" }, restoreSelected, close),
    status,
    list,
    pager,
  );

  function draw(): void {
    list.replaceChildren(...rows.map(row));
    pageLabel.textContent = `Page ${page + 1} of ${pages}`;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    pager.hidden = pages < 2;
    restoreSelected.disabled = ticked.size === 0;
    restoreSelected.textContent = ticked.size ? `Restore selected (${ticked.size})` : "Restore selected";
  }

  function row(item: DeletedItem): HTMLLIElement {
    const subject = item.subject?.trim() || "(no subject)";
    const sender = personName(item.from?.[0]);
    const box = h("input", { type: "checkbox", "aria-label": `Select ${subject}`, checked: ticked.has(item.id) });
    box.addEventListener("change", () => {
      if (box.checked) ticked.add(item.id);
      else ticked.delete(item.id);
      draw();
    });
    const button = h("button", { type: "button", class: "secondary", "aria-label": `Restore ${subject}` }, "Restore");
    button.addEventListener("click", () => void run([item.id]));
    const left = item.daysLeft === 0 ? "due to be destroyed" : `${item.daysLeft} day${item.daysLeft === 1 ? "" : "s"} left`;
    const error = errors.get(item.id);
    return h(
      "li",
      { "data-id": item.id },
      box,
      h(
        "div",
        { class: "recover-summary" },
        h("span", { class: "subject" }, subject),
        h("span", { class: "from" }, sender),
        h("span", { class: "muted" }, srOnly("Deleted "), longDate(item.deletedAt), ` · ${left}`),
        error ? h("span", { class: "recover-error", role: "alert" }, error) : null,
      ),
      button,
    );
  }

  /** Page `wanted` from the server; `said` replaces the count line (a restore's outcome). */
  async function load(wanted: number, said?: string): Promise<void> {
    for (const control of [prev, next]) control.disabled = true;
    const shown = await listDeleted(client, wanted, PAGE);
    ({ rows, page, pages, total } = shown);
    status.textContent =
      said ?? (total ? `${total} deleted message${total === 1 ? "" : "s"} kept.` : "No deleted mail is kept.");
    draw();
  }

  async function run(ids: Id[]): Promise<void> {
    if (!ids.length) return;
    // One restore at a time: a second click would only find the mail already restored.
    restoreSelected.disabled = true;
    for (const control of list.querySelectorAll("button")) control.disabled = true;
    status.textContent = `Restoring ${ids.length}…`;
    try {
      const outcome = await restore(client, ids);
      for (const id of ids) errors.delete(id);
      for (const [id, why] of outcome.failed) errors.set(id, why);
      for (const id of outcome.restored.keys()) ticked.delete(id);
      // What came back leaves the page; what failed stays, its error on its row.
      rows = rows.filter((r) => !outcome.restored.has(r.id));
      const n = outcome.restored.size;
      const failed = outcome.failed.size;
      total = Math.max(0, total - n);
      pages = Math.max(1, Math.ceil(total / PAGE));
      const said =
        `Restored ${n} message${n === 1 ? "" : "s"}.` + (failed ? ` ${failed} could not be restored; see below.` : "");
      if (n) onRestored(n);
      // A page restored to the last row fills up again from the server.
      if (!rows.length && total) await load(Math.min(page, pages - 1), said);
      else {
        status.textContent = said;
        draw();
      }
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : String(error);
      draw();
    }
  }

  restoreSelected.addEventListener("click", () => void run([...ticked]));
  const turn = (to: number): void => {
    load(to).catch((error: unknown) => {
      status.textContent = error instanceof Error ? error.message : String(error);
      draw();
    });
  };
  prev.addEventListener("click", () => turn(page - 1));
  next.addEventListener("click", () => turn(page + 1));
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  host.append(dialog);
  dialog.showModal();
  draw();
  turn(0);
  return dialog;
}
