/**
 * Typed client for the signed-in credential settings under /auth: password
 * change, recovery-code reset, app passwords and TOTP enrolment. Same origin, session cookie.
 *
 * Like api/auth.ts, expected failures come back as `{ ok: false, error }`
 * (an AuthError carrying the server's `error` code and `detail`), so a view
 * can show the server's reason, e.g. why a new password is too weak.
 */
import { AuthError } from "./auth";

export interface AppPassword {
  id: string;
  name: string;
  /** RFC 3339 UTC date-time. */
  created: string;
  /** YYYY-MM-DD, or null when never used. */
  lastUsedDay: string | null;
}

export interface NewAppPassword extends Omit<AppPassword, "lastUsedDay"> {
  /** Shown once; the server keeps only a verifier. */
  secret: string;
}

export interface TotpStatus {
  enabled: boolean;
  pending: boolean;
}

export interface TotpEnrolment {
  otpauthUri: string;
  secret: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AuthError };

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export const SETTINGS_PATHS = {
  password: "/auth/password",
  appPasswords: "/auth/app-passwords",
  totpStatus: "/auth/totp/status",
  totpEnroll: "/auth/totp/enroll",
  totpConfirm: "/auth/totp/confirm",
  totpDisable: "/auth/totp/disable",
  recover: "/auth/recover",
} as const;

export class SettingsApi {
  constructor(private readonly fetchImpl: FetchLike = (input, init) => fetch(input, init)) {}

  changePassword(currentPassword: string, newPassword: string): Promise<Result<void>> {
    return this.send("POST", SETTINGS_PATHS.password, { currentPassword, newPassword }, () => undefined);
  }

  /**
   * Sets a new password with the recovery code. The code is spent: the answer
   * is the next one, which the server shows only this once.
   */
  recover(username: string, recoveryCode: string, newPassword: string): Promise<Result<string>> {
    return this.send("POST", SETTINGS_PATHS.recover, { username, recoveryCode: recoveryCode.trim(), newPassword }, (body) =>
      isRecord(body) && typeof body["recoveryCode"] === "string" ? body["recoveryCode"] : undefined,
    );
  }

  listAppPasswords(): Promise<Result<AppPassword[]>> {
    return this.send("GET", SETTINGS_PATHS.appPasswords, undefined, (body) => {
      const list = isRecord(body) ? body["appPasswords"] : undefined;
      return Array.isArray(list) && list.every(isAppPassword) ? list : undefined;
    });
  }

  createAppPassword(name: string): Promise<Result<NewAppPassword>> {
    return this.send("POST", SETTINGS_PATHS.appPasswords, { name }, (body) =>
      isAppPassword({ lastUsedDay: null, ...(isRecord(body) ? body : {}) }) &&
      isRecord(body) &&
      typeof body["secret"] === "string"
        ? (body as unknown as NewAppPassword)
        : undefined,
    );
  }

  revokeAppPassword(id: string): Promise<Result<void>> {
    return this.send("DELETE", `${SETTINGS_PATHS.appPasswords}/${encodeURIComponent(id)}`, undefined, () => undefined);
  }

  totpStatus(): Promise<Result<TotpStatus>> {
    return this.send("GET", SETTINGS_PATHS.totpStatus, undefined, (body) =>
      isRecord(body) && typeof body["enabled"] === "boolean" && typeof body["pending"] === "boolean"
        ? { enabled: body["enabled"], pending: body["pending"] }
        : undefined,
    );
  }

  enrollTotp(): Promise<Result<TotpEnrolment>> {
    return this.send("POST", SETTINGS_PATHS.totpEnroll, undefined, (body) =>
      isRecord(body) && typeof body["otpauthUri"] === "string" && typeof body["secret"] === "string"
        ? { otpauthUri: body["otpauthUri"], secret: body["secret"] }
        : undefined,
    );
  }

  confirmTotp(code: string): Promise<Result<void>> {
    return this.send("POST", SETTINGS_PATHS.totpConfirm, { code: code.replace(/\s+/g, "") }, () => undefined);
  }

  disableTotp(code: string): Promise<Result<void>> {
    return this.send("POST", SETTINGS_PATHS.totpDisable, { code: code.replace(/\s+/g, "") }, () => undefined);
  }

  private async send<T>(
    method: "GET" | "POST" | "DELETE",
    path: string,
    body: object | undefined,
    parse: (body: unknown) => T | undefined,
  ): Promise<Result<T>> {
    const headers: Record<string, string> = { Accept: "application/json" };
    const init: RequestInit = { method, headers, credentials: "same-origin", cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await this.fetchImpl(path, init);
    } catch (cause) {
      return failed(new AuthError("networkError", "Could not reach the server. Check your connection and try again.", { cause }));
    }
    const parsed = res.status === 204 ? undefined : await res.json().catch(() => undefined);
    if (!res.ok) return failed(errorFrom(res, parsed));
    const value = parse(parsed);
    if (value === undefined && res.status !== 204) {
      return failed(new AuthError("badResponse", "The server sent a response this page does not understand.", { status: res.status }));
    }
    return { ok: true, value: value as T };
  }
}

function failed(error: AuthError): { ok: false; error: AuthError } {
  return { ok: false, error };
}

function errorFrom(res: Response, body: unknown): AuthError {
  const retry = isRecord(body) && typeof body["retryAfter"] === "number" ? body["retryAfter"] : undefined;
  if (isRecord(body) && typeof body["error"] === "string") {
    const detail = typeof body["detail"] === "string" && body["detail"] ? body["detail"] : `HTTP ${res.status}`;
    return new AuthError(body["error"], detail, { status: res.status, retryAfter: retry });
  }
  const code = res.status === 401 ? "unauthorized" : "serverError";
  return new AuthError(code, `The server answered with an unexpected error (HTTP ${res.status}).`, { status: res.status });
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function isAppPassword(x: unknown): x is AppPassword {
  return (
    isRecord(x) &&
    typeof x["id"] === "string" &&
    typeof x["name"] === "string" &&
    typeof x["created"] === "string" &&
    (x["lastUsedDay"] === null || typeof x["lastUsedDay"] === "string")
  );
}
