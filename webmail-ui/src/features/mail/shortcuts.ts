/** The mail keyboard shortcuts, one table for the key handler's help overlay (`?`). */
import { h } from "../../lib/dom";

export const SHORTCUTS: readonly { keys: string[]; does: string }[] = [
  { keys: ["j", "k"], does: "Next / previous message" },
  { keys: ["r"], does: "Reply" },
  { keys: ["a"], does: "Reply all" },
  { keys: ["f"], does: "Forward" },
  { keys: ["c"], does: "Compose" },
  { keys: ["/"], does: "Search (Escape clears)" },
  { keys: ["e"], does: "Archive" },
  { keys: ["#"], does: "Delete" },
  { keys: ["x"], does: "Select the message (shift: a range)" },
  { keys: ["?"], does: "This help" },
];

/** A modal dialog listing SHORTCUTS; Escape or Close dismisses it. */
export function shortcutHelp(): HTMLDialogElement {
  const close = h("button", { type: "button", class: "secondary" }, "Close");
  const dialog = h(
    "dialog",
    { class: "shortcut-help", "aria-labelledby": "shortcut-title" },
    h("h2", { id: "shortcut-title" }, "Keyboard shortcuts"),
    h(
      "dl",
      {},
      ...SHORTCUTS.flatMap(({ keys, does }) => [
        h("dt", {}, ...keys.flatMap((k, i) => [i ? " " : null, h("kbd", {}, k)])),
        h("dd", {}, does),
      ]),
    ),
    close,
  );
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  return dialog;
}
