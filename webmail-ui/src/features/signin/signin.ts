/**
 * Sign-in flow controller: checks the current session, then walks the user
 * through password -> (optional) TOTP -> signed in -> signed out.
 *
 * The session token returned by the server is handed to `onSessionChange`
 * and otherwise kept only in memory; the server's HttpOnly cookie is what
 * keeps the user signed in across reloads.
 */
import * as authApi from "../../api/auth";
import type { AuthError, SignInResult } from "../../api/auth";
import { signInWithPasskey, verifyWithPasskey } from "../../api/passkeys";
import { errorText } from "./messages";
import { checkingView, credentialsView, signedInView, totpView, type FormView } from "./views";

export interface AuthApi {
  login: typeof authApi.login;
  submitTotp: typeof authApi.submitTotp;
  logout: typeof authApi.logout;
  me: typeof authApi.me;
  signInWithPasskey?: typeof signInWithPasskey;
  verifyWithPasskey?: typeof verifyWithPasskey;
}

/** Who is signed in; `token` is present only right after an interactive sign-in. */
export interface CurrentUser {
  accountId: string;
  username: string;
  token?: string;
}

export interface SignInOptions {
  /** Defaults to the real /auth client; injectable for tests. */
  auth?: AuthApi;
  onSessionChange?: (user: CurrentUser | null) => void;
}

export interface SignInHandle {
  destroy(): void;
}

export function mountSignIn(container: HTMLElement, options: SignInOptions = {}): SignInHandle {
  const auth: AuthApi = options.auth ?? { ...authApi, signInWithPasskey, verifyWithPasskey };
  const notify = options.onSessionChange ?? (() => {});

  /** Teardown for the current view (timers, in-flight requests). */
  let teardown: (() => void) | undefined;
  let destroyed = false;

  function show(root: HTMLElement, focus?: HTMLElement): AbortSignal {
    teardown?.();
    const controller = new AbortController();
    teardown = () => controller.abort();
    container.replaceChildren(root);
    focus?.focus();
    return controller.signal;
  }

  // --- steps ---------------------------------------------------------------

  async function start(): Promise<void> {
    const signal = show(checkingView());
    const result = await auth.me({ signal });
    if (destroyed || signal.aborted) return;

    switch (result.status) {
      case "signedIn":
        showSignedIn(result.account);
        break;
      case "signedOut":
        showCredentials();
        break;
      case "failed":
        showCredentials({ error: result.error });
        break;
    }
  }

  function showCredentials(opts: { username?: string; notice?: string; error?: AuthError } = {}): void {
    const viewOpts: { username?: string; notice?: string } = {};
    if (opts.username !== undefined) viewOpts.username = opts.username;
    if (opts.notice !== undefined) viewOpts.notice = opts.notice;
    const view = credentialsView(viewOpts);
    const signal = show(view.root, view.username.value ? view.password : view.username);
    const form = formController(view, signal);
    if (opts.error) form.fail(opts.error);

    view.passkey.addEventListener("click", () => {
      const passwordless = auth.signInWithPasskey;
      if (!passwordless) return;
      void form.run(
        () => passwordless(),
        (result) => {
          if (result.status === "signedIn") return showSignedIn(result.session);
          if (result.status === "failed") form.fail(result.error);
        },
      );
    });

    view.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const username = view.username.value.trim();
      const password = view.password.value;
      if (!username || !password) {
        form.fail(undefined, "Enter your email and password.");
        (username ? view.password : view.username).focus();
        return;
      }
      void form.run(
        () => auth.login({ username, password }, { signal }),
        (result) => {
          switch (result.status) {
            case "signedIn":
              return showSignedIn(result.session);
            case "totpRequired":
              return showTotp(result.challenge, username, result.totp ?? true, result.passkeyOptions);
            case "failed":
              form.fail(result.error);
              if (result.error.error === "invalidCredentials") {
                view.password.value = "";
                view.password.focus();
              }
              return;
          }
        },
      );
    });
  }

  function showTotp(
    challenge: string,
    username: string,
    totp = true,
    passkeyOptions?: Record<string, unknown>,
  ): void {
    const verify = auth.verifyWithPasskey;
    const view = totpView({ totp, passkey: passkeyOptions !== undefined && verify !== undefined });
    const signal = show(view.root, totp ? view.code : view.passkey);
    const form = formController(view, signal);

    view.passkey.addEventListener("click", () => {
      if (!passkeyOptions || !verify) return;
      void form.run(
        () => verify(challenge, passkeyOptions),
        (result) => {
          if (result.status === "signedIn") return showSignedIn(result.session);
          if (result.status === "failed") {
            form.fail(result.error);
            // The passkey request is spent: a new attempt starts with the password.
            if (result.error.error !== "passkeyUnavailable") showCredentials({ username, error: result.error });
          }
        },
      );
    });

    view.back.addEventListener("click", () => showCredentials({ username }));
    view.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const code = view.code.value.replace(/\s+/g, "");
      if (!code) {
        form.fail(undefined, "Enter the code from your authenticator app.");
        view.code.focus();
        return;
      }
      void form.run(
        () => auth.submitTotp({ challenge, code }, { signal }),
        (result) => {
          switch (result.status) {
            case "signedIn":
              return showSignedIn(result.session);
            case "totpRequired":
              // Not expected from /auth/totp; treat as a fresh challenge.
              return showTotp(result.challenge, username);
            case "failed":
              form.fail(result.error);
              view.code.value = "";
              view.code.focus();
              return;
          }
        },
      );
    });
  }

  function showSignedIn(user: CurrentUser): void {
    const view = signedInView(user.username);
    const signal = show(view.root, view.signOut);
    notify(user);

    view.signOut.addEventListener("click", async () => {
      view.signOut.disabled = true;
      view.alert.textContent = "";
      const result = await auth.logout({ signal });
      if (destroyed || signal.aborted) return;
      if (result.status === "signedOut") {
        notify(null);
        showCredentials({ username: user.username, notice: "You have signed out." });
      } else {
        view.alert.textContent = errorText(result.error);
        view.signOut.disabled = false;
        view.signOut.focus();
      }
    });
  }

  void start();

  return {
    destroy(): void {
      destroyed = true;
      teardown?.();
      teardown = undefined;
      container.replaceChildren();
    },
  };
}

/**
 * Shared behaviour of the two forms: one request at a time, a busy state on
 * the submit button, the alert text, and a lockout after HTTP 429 that keeps
 * the submit button disabled until Retry-After has passed.
 */
function formController(view: FormView, signal: AbortSignal) {
  const idleLabel = view.submit.textContent ?? "";
  let busy = false;
  let lockedUntil = 0;
  let unlockTimer: ReturnType<typeof setTimeout> | undefined;

  signal.addEventListener("abort", () => clearTimeout(unlockTimer), { once: true });

  function refreshButton(): void {
    view.submit.disabled = busy || Date.now() < lockedUntil;
    view.form.setAttribute("aria-busy", String(busy));
    view.submit.textContent = busy ? "Please wait…" : idleLabel;
  }

  function lockFor(seconds: number): void {
    lockedUntil = Date.now() + seconds * 1000;
    clearTimeout(unlockTimer);
    unlockTimer = setTimeout(refreshButton, seconds * 1000 + 50);
  }

  return {
    /** Shows an error (from the server, or a local message) in the alert. */
    fail(error: AuthError | undefined, message?: string): void {
      view.alert.textContent = error ? errorText(error) : (message ?? "");
      if (error?.error === "tooManyAttempts" && error.retryAfter) lockFor(error.retryAfter);
      refreshButton();
    },

    async run(
      request: () => Promise<SignInResult>,
      handle: (result: SignInResult) => void,
    ): Promise<void> {
      if (busy || Date.now() < lockedUntil) return;
      busy = true;
      view.alert.textContent = "";
      refreshButton();
      const result = await request();
      busy = false;
      if (signal.aborted) return; // the view was replaced meanwhile
      refreshButton();
      handle(result);
    },
  };
}
