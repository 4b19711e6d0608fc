/** The signed-in layout: top bar, mailbox nav, message list, reading pane. */
import { h } from "../../lib/dom";

export interface ShellView {
  root: HTMLElement;
  nav: HTMLElement;
  list: HTMLElement;
  reader: HTMLElement;
  compose: HTMLButtonElement;
  settings: HTMLButtonElement;
  signOut: HTMLButtonElement;
  menu: HTMLButtonElement;
  status: HTMLElement;
  search: HTMLInputElement;
  searchForm: HTMLFormElement;
}

/** Which pane a phone-width screen shows; wide screens show all three. */
export type Pane = "nav" | "list" | "reader";

export function shellView(username: string): ShellView {
  const menu = h("button", { type: "button", class: "icon menu-button", "aria-label": "Mailboxes" }, "☰");
  const compose = h("button", { type: "button", class: "primary" }, "Compose");
  const settings = h("button", { type: "button", class: "secondary" }, "Settings");
  const signOut = h("button", { type: "button", class: "secondary" }, "Sign out");
  const search = h("input", {
    type: "search",
    name: "q",
    class: "search-input",
    "aria-label": "Search mail",
    placeholder: "Search (/)  from: to: subject: has:attachment",
    autocomplete: "off",
  });
  const searchForm = h("form", { class: "search", role: "search" }, search);
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const nav = h("nav", { class: "pane-nav", "aria-label": "Mailboxes" });
  const list = h("section", { class: "pane-list", "aria-label": "Messages" });
  const reader = h("section", { class: "pane-reader", "aria-label": "Message" });
  const root = h(
    "div",
    { class: "mail-app", "data-pane": "list" },
    h(
      "header",
      { class: "topbar" },
      menu,
      h("span", { class: "logo" }, "Sealbox"),
      h("span", { class: "whoami muted" }, username),
      searchForm,
      status,
      compose,
      settings,
      signOut,
    ),
    nav,
    list,
    reader,
  );
  return { root, nav, list, reader, compose, settings, signOut, menu, status, search, searchForm };
}

export function showPane(shell: ShellView, pane: Pane): void {
  shell.root.dataset["pane"] = pane;
}
