/**
 * Passkeys settings: add one with a name, list them, remove one. Mounted by Settings
 * into its #passkeys-settings element via renderPasskeys(container).
 */
import { addPasskey, listPasskeys, removePasskey, type PasskeyInfo } from "../../api/passkeys";
import { field, h } from "../../lib/dom";

export interface PasskeysHandle {
  refresh(): Promise<void>;
}

function row(passkey: PasskeyInfo, onRemove: (p: PasskeyInfo) => void): HTMLLIElement {
  const remove = h("button", { type: "button", class: "secondary", "aria-label": `Remove passkey ${passkey.name}` }, "Remove");
  remove.addEventListener("click", () => onRemove(passkey));
  const note = passkey.canUnlock ? "unlocks your mail" : "second factor only (sign in with your password)";
  return h("li", { class: "passkey" }, h("strong", {}, passkey.name), " — ", h("span", { class: "muted" }, note), " ", remove);
}

export function renderPasskeys(container: HTMLElement): PasskeysHandle {
  const name = field("Passkey name", { name: "passkey-name", type: "text", maxlength: "100", autocomplete: "off" });
  const add = h("button", { type: "submit", class: "primary" }, "Add a passkey");
  const alert = h("p", { class: "alert", role: "alert" });
  const list = h("ul", { class: "passkeys", "aria-label": "Your passkeys" });
  const form = h("form", { class: "stack", "aria-labelledby": "passkeys-heading" }, name.wrapper, add);
  container.replaceChildren(
    h(
      "section",
      { class: "stack" },
      h("h2", { id: "passkeys-heading" }, "Passkeys"),
      h("p", { class: "muted" }, "Names are stored unencrypted on the server, like app-password labels, so they can be listed without unlocking your mail."),
      form,
      alert,
      list,
    ),
  );

  async function refresh(): Promise<void> {
    const result = await listPasskeys();
    if (result.status === "failed") {
      alert.textContent = result.error.detail;
      return;
    }
    list.replaceChildren(...result.value.map((p) => row(p, (gone) => void remove(gone))));
    if (result.value.length === 0) list.append(h("li", { class: "muted" }, "No passkeys yet."));
  }

  async function remove(passkey: PasskeyInfo): Promise<void> {
    alert.textContent = "";
    const result = await removePasskey(passkey.id);
    if (result.status === "failed") alert.textContent = result.error.detail;
    await refresh();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    add.disabled = true;
    alert.textContent = "";
    void addPasskey(name.input.value.trim() || "Passkey").then(async (result) => {
      add.disabled = false;
      if (result.status === "failed") {
        alert.textContent = result.error.detail;
        return;
      }
      name.input.value = "";
      alert.textContent = result.value.canUnlock
        ? "Passkey added. It can sign you in without your password."
        : "Passkey added as a second factor. Its authenticator gave no key to unlock your mail; it will after your next sign-in with password and passkey if it can.";
      await refresh();
    });
  });

  void refresh();
  return { refresh };
}
