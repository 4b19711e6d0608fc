/** Settings sections backed by /auth: password change, app passwords, TOTP. */
import type { AppPassword, SettingsApi } from "../../api/settings";
import { field, h } from "../../lib/dom";
import { passwordProblem } from "./password-rules";
import { qrSvg } from "./qr";
import { busy, button, section } from "./section";
import { groupSecret, normaliseCode } from "./totp-model";

export function passwordSection(api: SettingsApi, address: string): HTMLElement {
  const s = section(
    "Password",
    "password-settings",
    "Changing it signs out your other sessions. Your mail stays encrypted; nothing is re-encrypted.",
  );
  const current = field("Current password", { name: "current-password", type: "password", autocomplete: "current-password", required: true });
  const next = field("New password", { name: "new-password", type: "password", autocomplete: "new-password", required: true, minlength: "12" });
  const repeat = field("Repeat new password", { name: "repeat-password", type: "password", autocomplete: "new-password", required: true });
  const hint = h("p", { class: "muted" }, "At least 12 characters, hard to guess, and not containing your address.");
  const submit = h("button", { type: "submit", class: "primary" }, "Change password");
  const form = h("form", { class: "settings-form", novalidate: true }, current.wrapper, next.wrapper, hint, repeat.wrapper, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const change = { current: current.input.value, next: next.input.value, repeat: repeat.input.value };
    const problem = passwordProblem(change, address);
    if (problem) return s.say(problem, "error");
    void busy(submit, async () => {
      const result = await api.changePassword(change.current, change.next);
      if (!result.ok) return s.say(result.error.detail, "error");
      form.reset();
      s.say("Password changed. Your other sessions were signed out.");
    });
  });
  s.body.append(form);
  return s.root;
}

export function appPasswordSection(api: SettingsApi): HTMLElement {
  const s = section(
    "App passwords",
    "app-password-settings",
    "For mail apps (IMAP, SMTP, POP3): use one instead of your password. Each is shown once.",
  );
  const name = field("App password name", { name: "app-password-name", placeholder: "e.g. Thunderbird on laptop", maxlength: "100" });
  const create = h("button", { type: "submit", class: "primary" }, "Create app password");
  const form = h("form", { class: "settings-form inline" }, name.wrapper, create);
  const reveal = h("div", { class: "secret-reveal", hidden: true });
  const list = h("ul", { class: "settings-list", "aria-label": "App passwords" });

  async function refresh(): Promise<void> {
    const result = await api.listAppPasswords();
    if (!result.ok) return s.say(result.error.detail, "error");
    list.replaceChildren(...result.value.map(row));
    if (result.value.length === 0) list.append(h("li", { class: "muted" }, "No app passwords yet."));
  }

  function row(item: AppPassword): HTMLLIElement {
    const revoke = button("Revoke", { "aria-label": `Revoke ${item.name}` });
    revoke.addEventListener("click", () => {
      if (!confirm(`Revoke “${item.name}”? Apps using it will be signed out.`)) return;
      void busy(revoke, async () => {
        const result = await api.revokeAppPassword(item.id);
        if (!result.ok) return s.say(result.error.detail, "error");
        s.say(`Revoked “${item.name}”.`);
        await refresh();
      });
    });
    const used = item.lastUsedDay ? `last used ${item.lastUsedDay}` : "never used";
    return h(
      "li",
      { "data-id": item.id },
      h("span", { class: "item-name" }, item.name),
      h("span", { class: "muted" }, `created ${item.created.slice(0, 10)}, ${used}`),
      revoke,
    );
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(create, async () => {
      const result = await api.createAppPassword(name.input.value);
      if (!result.ok) return s.say(result.error.detail, "error");
      form.reset();
      showSecret(reveal, `New app password “${result.value.name}” (shown only now):`, result.value.secret, "app-password-secret");
      s.say("App password created. Copy it into your mail app now.");
      await refresh();
    });
  });
  s.body.append(form, reveal, list);
  void refresh();
  return s.root;
}

/** Shows a secret once, with Copy and Done (which forgets it). */
export function showSecret(box: HTMLElement, label: string, secret: string, id: string): void {
  const value = h("code", { class: "secret", id }, secret);
  const copy = button("Copy", { "aria-label": "Copy to clipboard" });
  copy.addEventListener("click", () => {
    void navigator.clipboard?.writeText(secret).then(
      () => (copy.textContent = "Copied"),
      () => (copy.textContent = "Select and copy"),
    );
  });
  const done = button("Done");
  done.addEventListener("click", () => {
    box.replaceChildren();
    box.hidden = true;
  });
  box.replaceChildren(h("p", {}, label), h("div", { class: "secret-row" }, value, copy, done));
  box.hidden = false;
}

export function totpSection(api: SettingsApi, onChange: () => void = () => {}): HTMLElement {
  const s = section(
    "Two-step sign-in (TOTP)",
    "totp-settings",
    "After your password, sign-in asks for a 6-digit code from an authenticator app.",
  );
  const state = h("p", { class: "totp-state" });
  const panel = h("div", { class: "totp-panel" });

  function codeForm(label: string, action: string, send: (code: string) => Promise<boolean>): HTMLFormElement {
    const code = field(label, { name: "totp-code", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9 ]*", maxlength: "8", required: true });
    const submit = h("button", { type: "submit", class: "primary" }, action);
    const form = h("form", { class: "settings-form inline" }, code.wrapper, submit);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const digits = normaliseCode(code.input.value);
      if (!digits) return s.say("Enter the 6-digit code from your app.", "error");
      void busy(submit, async () => {
        if (await send(digits)) form.reset();
      });
    });
    return form;
  }

  async function refresh(): Promise<void> {
    const status = await api.totpStatus();
    if (!status.ok) return s.say(status.error.detail, "error");
    if (status.value.enabled) {
      state.textContent = "Two-step sign-in is on.";
      panel.replaceChildren(
        codeForm("Current code to turn it off", "Turn off two-step sign-in", async (code) => {
          const result = await api.disableTotp(code);
          if (!result.ok) return s.say(result.error.detail, "error"), false;
          s.say("Two-step sign-in is off.");
          onChange();
          await refresh();
          return true;
        }),
      );
      return;
    }
    state.textContent = "Two-step sign-in is off.";
    const start = h("button", { type: "button", class: "primary" }, "Set up two-step sign-in");
    start.addEventListener("click", () => void busy(start, enrol));
    panel.replaceChildren(start);
  }

  async function enrol(): Promise<void> {
    const result = await api.enrollTotp();
    if (!result.ok) return s.say(result.error.detail, "error");
    const { otpauthUri, secret } = result.value;
    panel.replaceChildren(
      h("p", {}, "Scan this code with your authenticator app, or type the key below into it."),
      qrSvg(otpauthUri, "QR code for your authenticator app"),
      h("p", {}, "Key: ", h("code", { class: "secret", id: "totp-secret", "data-secret": secret }, groupSecret(secret))),
      codeForm("Code from your app", "Turn on two-step sign-in", async (code) => {
        const confirmed = await api.confirmTotp(code);
        if (!confirmed.ok) return s.say(confirmed.error.detail, "error"), false;
        s.say("Two-step sign-in is on. Mail apps keep working with app passwords.");
        onChange();
        await refresh();
        return true;
      }),
    );
    s.say("Not on yet: enter a code from your app to finish.");
  }

  s.body.append(state, panel);
  void refresh();
  return s.root;
}
