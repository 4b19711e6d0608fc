/** Presentational pieces shared by the Settings sections. */
import { h, uid } from "../../lib/dom";

export interface Section {
  root: HTMLElement;
  body: HTMLElement;
  /** Shows a result line; errors are announced assertively. */
  say(text: string, kind?: "ok" | "error"): void;
}

export function section(title: string, id: string, intro?: string): Section {
  const headingId = uid("settings-heading");
  const message = h("p", { class: "settings-message", role: "status", "aria-live": "polite" });
  const body = h("div", { class: "settings-body" });
  const root = h(
    "section",
    { class: "settings-section", id, "aria-labelledby": headingId },
    h("h2", { id: headingId }, title),
    intro ? h("p", { class: "muted" }, intro) : null,
    body,
    message,
  );
  return {
    root,
    body,
    say(text, kind = "ok") {
      message.textContent = text;
      message.dataset["kind"] = kind;
      message.setAttribute("role", kind === "error" ? "alert" : "status");
    },
  };
}

export function button(text: string, attrs: Record<string, string> = {}): HTMLButtonElement {
  return h("button", { type: "button", class: "secondary", ...attrs }, text);
}

/** Disables `control` while `work` runs, so a double click sends one request. */
export async function busy<T>(control: HTMLButtonElement, work: () => Promise<T>): Promise<T> {
  control.disabled = true;
  try {
    return await work();
  } finally {
    control.disabled = false;
  }
}
