/**
 * DOM for each step of the sign-in flow. Views only build elements and expose
 * the handles the controller (signin.ts) needs; they hold no state and make
 * no requests.
 */
import { field, h } from "../../lib/dom";

export interface FormView {
  root: HTMLElement;
  form: HTMLFormElement;
  submit: HTMLButtonElement;
  alert: HTMLElement;
}

export interface CredentialsView extends FormView {
  username: HTMLInputElement;
  password: HTMLInputElement;
  passkey: HTMLButtonElement;
}

export interface TotpView extends FormView {
  code: HTMLInputElement;
  back: HTMLButtonElement;
  passkey: HTMLButtonElement;
}

export interface SignedInView {
  root: HTMLElement;
  signOut: HTMLButtonElement;
  alert: HTMLElement;
}

/** An always-present live region; CSS hides it while empty. */
function alertRegion(): HTMLElement {
  return h("p", { class: "alert", role: "alert" });
}

export function checkingView(): HTMLElement {
  return h("p", { class: "muted", role: "status" }, "Checking your session…");
}

export function credentialsView(opts: { username?: string; notice?: string } = {}): CredentialsView {
  const username = field("Email", {
    name: "username",
    type: "text",
    inputmode: "email",
    autocomplete: "username",
    autocapitalize: "none",
    spellcheck: "false",
    required: true,
  });
  if (opts.username) username.input.value = opts.username;

  const password = field("Password", {
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });

  const alert = alertRegion();
  const submit = h("button", { type: "submit", class: "primary" }, "Sign in");
  const form = h(
    "form",
    { class: "stack", "aria-labelledby": "signin-heading" },
    username.wrapper,
    password.wrapper,
    alert,
    submit,
  );

  const passkey = h("button", { type: "button", class: "secondary" }, "Sign in with a passkey");
  const root = h(
    "section",
    { class: "stack" },
    h("h2", { id: "signin-heading" }, "Sign in"),
    opts.notice ? h("p", { class: "notice", role: "status" }, opts.notice) : null,
    form,
    passkey,
  );
  return { root, form, submit, alert, username: username.input, password: password.input, passkey };
}

export function totpView(opts: { totp?: boolean; passkey?: boolean } = {}): TotpView {
  const withTotp = opts.totp ?? true;
  const code = field("Authentication code", {
    name: "code",
    type: "text",
    inputmode: "numeric",
    autocomplete: "one-time-code",
    autocapitalize: "none",
    spellcheck: "false",
    maxlength: "64",
    required: true,
    "aria-describedby": "totp-help",
  });

  const alert = alertRegion();
  const submit = h("button", { type: "submit", class: "primary" }, "Verify");
  const back = h("button", { type: "button", class: "secondary" }, "Back");
  const passkey = h("button", { type: "button", class: opts.passkey && !withTotp ? "primary" : "secondary" }, "Use a passkey");
  const form = h(
    "form",
    { class: "stack", "aria-labelledby": "totp-heading" },
    withTotp ? code.wrapper : null,
    alert,
    h("div", { class: "actions" }, withTotp ? submit : null, opts.passkey ? passkey : null, back),
  );

  const help = withTotp
    ? opts.passkey
      ? "Enter the code from your authenticator app, or use a passkey."
      : "Enter the code from your authenticator app."
    : "Confirm with one of your passkeys.";
  const root = h(
    "section",
    { class: "stack" },
    h("h2", { id: "totp-heading" }, "Two-step verification"),
    h("p", { id: "totp-help", class: "muted" }, help),
    form,
  );
  return { root, form, submit, alert, code: code.input, back, passkey };
}

export function signedInView(username: string): SignedInView {
  const alert = alertRegion();
  const signOut = h("button", { type: "button", class: "secondary" }, "Sign out");
  const root = h(
    "section",
    { class: "stack" },
    h("h2", {}, "Welcome"),
    h("p", { class: "signed-in" }, "Signed in as ", h("strong", {}, username)),
    h("p", { class: "muted" }, "Your mailbox will appear here in a later version of the webmail."),
    alert,
    signOut,
  );
  return { root, signOut, alert };
}
