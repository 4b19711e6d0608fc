/**
 * Typed client for the Sealbox server's /auth API (same origin, JSON).
 *
 * Expected failures (bad password, rate limiting, a wrong TOTP code, the
 * network being down) are returned as `{ status: "failed", error }` rather
 * than thrown, so callers handle every outcome through one discriminated
 * union.
 *
 * Credentials are never persisted by this module: the server keeps the
 * session in an HttpOnly cookie, and the token returned on sign-in lives only
 * in the caller's memory. Nothing is written to localStorage/sessionStorage.
 */

// ---------------------------------------------------------------------------
// Wire types
// ---------------------------------------------------------------------------

export interface LoginRequest {
  username: string;
  password: string;
}

export interface TotpRequest {
  challenge: string;
  code: string;
}

/** Body of a successful POST /auth/login or POST /auth/totp. */
export interface SessionResponse {
  token: string;
  accountId: string;
  username: string;
}

/** Body of POST /auth/login when a second factor is needed. */
export interface TotpRequiredResponse {
  totpRequired: boolean;
  passkeyRequired?: boolean;
  challenge: string;
  /** WebAuthn request options when a passkey can complete the sign-in. */
  passkeyOptions?: Record<string, unknown> | null;
}

/** Body of GET /auth/me. */
export interface AccountResponse {
  accountId: string;
  username: string;
}

/** Body of every 4xx/5xx answer from /auth. */
export interface ErrorResponse {
  error: string;
  detail?: string;
  retryAfter?: number;
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/** Error codes the server sends, plus the ones this client produces itself. */
export type AuthErrorCode =
  | "invalidCredentials"
  | "invalidTotp"
  | "tooManyAttempts"
  | "invalidRequest"
  // Produced client-side:
  | "unauthorized" // 401 without a recognised body
  | "networkError" // fetch rejected (offline, DNS, CORS, aborted...)
  | "badResponse" // the server answered with something we can't parse
  | "serverError"; // any other non-2xx

export class AuthError extends Error {
  override readonly name = "AuthError";
  /** Machine-readable code, e.g. "invalidCredentials". Unknown server codes pass through. */
  readonly error: AuthErrorCode | (string & {});
  /** Human-readable explanation, from the server when it gave one. */
  readonly detail: string;
  /** Seconds to wait before retrying (429 only), if known. */
  readonly retryAfter: number | undefined;
  /** HTTP status, or undefined when no response was received. */
  readonly status: number | undefined;

  constructor(
    error: AuthErrorCode | (string & {}),
    detail: string,
    options: { retryAfter?: number | undefined; status?: number | undefined; cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.error = error;
    this.detail = detail;
    this.retryAfter = options.retryAfter;
    this.status = options.status;
  }
}

// ---------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------

export interface Failed {
  status: "failed";
  error: AuthError;
}

/** Outcome of login() and submitTotp(). */
export type SignInResult =
  | { status: "signedIn"; session: SessionResponse }
  | { status: "totpRequired"; challenge: string; totp?: boolean; passkeyOptions?: Record<string, unknown> }
  | Failed;

/** Outcome of me(). */
export type MeResult =
  | { status: "signedIn"; account: AccountResponse }
  | { status: "signedOut" }
  | Failed;

/** Outcome of logout(). */
export type LogoutResult = { status: "signedOut" } | Failed;

export interface RequestOptions {
  signal?: AbortSignal;
}

// ---------------------------------------------------------------------------
// Endpoints
// ---------------------------------------------------------------------------

export const AUTH_PATHS = {
  login: "/auth/login",
  totp: "/auth/totp",
  logout: "/auth/logout",
  me: "/auth/me",
} as const;

/** POST /auth/login */
export async function login(req: LoginRequest, opts: RequestOptions = {}): Promise<SignInResult> {
  const res = await send("POST", AUTH_PATHS.login, req, opts);
  if (isFailed(res)) return res;
  if (!res.ok) return { status: "failed", error: await errorFrom(res) };

  const body = await readJson(res);
  if (isTotpRequired(body)) {
    if (!body.passkeyOptions) return { status: "totpRequired", challenge: body.challenge };
    return { status: "totpRequired", challenge: body.challenge, totp: body.totpRequired, passkeyOptions: body.passkeyOptions };
  }
  if (isSession(body)) return { status: "signedIn", session: pickSession(body) };
  return badResponse(res.status);
}

/** POST /auth/totp — second step after login() returned totpRequired. */
export async function submitTotp(req: TotpRequest, opts: RequestOptions = {}): Promise<SignInResult> {
  const res = await send("POST", AUTH_PATHS.totp, req, opts);
  if (isFailed(res)) return res;
  if (!res.ok) return { status: "failed", error: await errorFrom(res) };

  const body = await readJson(res);
  if (isSession(body)) return { status: "signedIn", session: pickSession(body) };
  return badResponse(res.status);
}

/** POST /auth/logout — ends the cookie session. */
export async function logout(opts: RequestOptions = {}): Promise<LogoutResult> {
  const res = await send("POST", AUTH_PATHS.logout, undefined, opts);
  if (isFailed(res)) return res;
  // 401 means there was no session to end: the user is signed out either way.
  if (res.ok || res.status === 401) return { status: "signedOut" };
  return { status: "failed", error: await errorFrom(res) };
}

/** GET /auth/me — who the session cookie belongs to, if anyone. */
export async function me(opts: RequestOptions = {}): Promise<MeResult> {
  const res = await send("GET", AUTH_PATHS.me, undefined, opts);
  if (isFailed(res)) return res;
  if (res.status === 401) return { status: "signedOut" };
  if (!res.ok) return { status: "failed", error: await errorFrom(res) };

  const body = await readJson(res);
  if (isAccount(body)) {
    return { status: "signedIn", account: { accountId: body.accountId, username: body.username } };
  }
  return badResponse(res.status);
}

// ---------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------

async function send(
  method: "GET" | "POST",
  path: string,
  body: object | undefined,
  opts: RequestOptions,
): Promise<Response | Failed> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const init: RequestInit = { method, headers, credentials: "same-origin", cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (opts.signal) init.signal = opts.signal;

  try {
    return await fetch(path, init);
  } catch (cause) {
    const aborted = cause instanceof DOMException && cause.name === "AbortError";
    return {
      status: "failed",
      error: new AuthError(
        "networkError",
        aborted
          ? "The request was cancelled."
          : "Could not reach the server. Check your connection and try again.",
        { cause },
      ),
    };
  }
}

function isFailed(x: Response | Failed): x is Failed {
  // Response.status is a number; only our own Failed carries the string tag.
  return x.status === "failed";
}

async function readJson(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return undefined;
  }
}

async function errorFrom(res: Response): Promise<AuthError> {
  const body = await readJson(res);
  const retryAfter =
    res.status === 429 ? (retryAfterFromBody(body) ?? parseRetryAfter(res.headers.get("Retry-After"))) : undefined;

  if (isErrorBody(body)) {
    const detail = typeof body.detail === "string" && body.detail !== "" ? body.detail : fallbackDetail(res.status);
    return new AuthError(body.error, detail, { retryAfter, status: res.status });
  }
  const code: AuthErrorCode =
    res.status === 401 ? "unauthorized" : res.status === 429 ? "tooManyAttempts" : "serverError";
  return new AuthError(code, fallbackDetail(res.status), { retryAfter, status: res.status });
}

function fallbackDetail(status: number): string {
  switch (status) {
    case 400:
      return "The request was not accepted.";
    case 401:
      return "You are not signed in.";
    case 429:
      return "Too many attempts. Please wait before trying again.";
    default:
      return `The server answered with an unexpected error (HTTP ${status}).`;
  }
}

function badResponse(status: number): Failed {
  return {
    status: "failed",
    error: new AuthError("badResponse", "The server sent a response this page does not understand.", { status }),
  };
}

function retryAfterFromBody(body: unknown): number | undefined {
  if (!isRecord(body)) return undefined;
  const v = body["retryAfter"];
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.ceil(v) : undefined;
}

/**
 * Parses a Retry-After header value (RFC 9110 §10.2.3): either a number of
 * seconds or an HTTP date. Returns whole seconds from `now`, or undefined.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number.parseInt(trimmed, 10);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

function pickSession(body: SessionResponse): SessionResponse {
  return { token: body.token, accountId: body.accountId, username: body.username };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function isSession(x: unknown): x is SessionResponse {
  return (
    isRecord(x) &&
    typeof x["token"] === "string" &&
    typeof x["accountId"] === "string" &&
    typeof x["username"] === "string"
  );
}

function isTotpRequired(x: unknown): x is TotpRequiredResponse {
  return (
    isRecord(x) && (x["totpRequired"] === true || x["passkeyRequired"] === true) && typeof x["challenge"] === "string"
  );
}

function isAccount(x: unknown): x is AccountResponse {
  return isRecord(x) && typeof x["accountId"] === "string" && typeof x["username"] === "string";
}

function isErrorBody(x: unknown): x is ErrorResponse {
  return isRecord(x) && typeof x["error"] === "string";
}
