/**
 * Typed client for /auth/passkeys and the browser's WebAuthn API (navigator.credentials).
 *
 * The server sends WebAuthn options as JSON (binary fields base64url); this module turns
 * them into the platform's ArrayBuffer form, adds nothing but the `prf` extension inputs
 * the server named, and sends back the credential as JSON plus the PRF output (the key
 * that lets a passkey unlock the mail). Nothing is stored in the browser.
 */
import { AuthError, type SessionResponse, type SignInResult } from "./auth";

type Json = Record<string, unknown>;

export interface PasskeyInfo {
  id: string;
  name: string;
  createdAt: number;
  lastUsedDay: number | null;
  canUnlock: boolean;
}

export type PasskeyResult<T> = { status: "ok"; value: T } | { status: "failed"; error: AuthError };

export function toBase64url(buffer: ArrayBuffer | ArrayBufferView): string {
  const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64url(text: string): ArrayBuffer {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

function descriptors(list: unknown): PublicKeyCredentialDescriptor[] {
  if (!Array.isArray(list)) return [];
  return list.map((d: Json) => {
    const out: PublicKeyCredentialDescriptor = { type: "public-key", id: fromBase64url(String(d["id"])) };
    if (Array.isArray(d["transports"])) out.transports = d["transports"] as AuthenticatorTransport[];
    return out;
  });
}

function prfInputs(options: Json): Json {
  const prf = (options["extensions"] as Json | undefined)?.["prf"] as Json | undefined;
  const first = (prf?.["eval"] as Json | undefined)?.["first"];
  return typeof first === "string" ? { prf: { eval: { first: fromBase64url(first) } } } : {};
}

/** PublicKeyCredentialCreationOptionsJSON -> what navigator.credentials.create takes. */
export function creationOptions(json: Json): PublicKeyCredentialCreationOptions {
  const user = json["user"] as Json;
  return {
    ...(json as unknown as PublicKeyCredentialCreationOptions),
    challenge: fromBase64url(String(json["challenge"])),
    user: { id: fromBase64url(String(user["id"])), name: String(user["name"]), displayName: String(user["displayName"] ?? user["name"]) },
    excludeCredentials: descriptors(json["excludeCredentials"]),
    extensions: prfInputs(json) as AuthenticationExtensionsClientInputs,
  };
}

/** PublicKeyCredentialRequestOptionsJSON -> what navigator.credentials.get takes. */
export function requestOptions(json: Json): PublicKeyCredentialRequestOptions {
  const out: PublicKeyCredentialRequestOptions = {
    challenge: fromBase64url(String(json["challenge"])),
    allowCredentials: descriptors(json["allowCredentials"]),
    extensions: prfInputs(json) as AuthenticationExtensionsClientInputs,
  };
  if (typeof json["rpId"] === "string") out.rpId = json["rpId"];
  if (typeof json["timeout"] === "number") out.timeout = json["timeout"];
  if (typeof json["userVerification"] === "string") out.userVerification = json["userVerification"] as UserVerificationRequirement;
  return out;
}

/** The PRF output the authenticator gave (extensions.prf.results.first), base64url. */
export function prfOutput(credential: PublicKeyCredential): string | undefined {
  const results = credential.getClientExtensionResults() as { prf?: { results?: { first?: ArrayBuffer } } };
  const first = results.prf?.results?.first;
  return first ? toBase64url(first) : undefined;
}

/** A credential as RegistrationResponseJSON / AuthenticationResponseJSON. */
export function credentialJson(credential: PublicKeyCredential): Json {
  const r = credential.response;
  const response: Json = { clientDataJSON: toBase64url(r.clientDataJSON) };
  if (r instanceof AuthenticatorAttestationResponse) {
    response["attestationObject"] = toBase64url(r.attestationObject);
    response["transports"] = r.getTransports();
  } else if (r instanceof AuthenticatorAssertionResponse) {
    response["authenticatorData"] = toBase64url(r.authenticatorData);
    response["signature"] = toBase64url(r.signature);
    if (r.userHandle) response["userHandle"] = toBase64url(r.userHandle);
  }
  return { id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type, response, clientExtensionResults: {} };
}

async function call(method: string, path: string, body?: unknown): Promise<Response | AuthError> {
  const init: RequestInit = { method, credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers = { Accept: "application/json", "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  try {
    const res = await fetch(path, init);
    if (res.ok) return res;
    const err = (await res.json().catch(() => ({}))) as Json;
    return new AuthError(String(err["error"] ?? "serverError"), String(err["detail"] ?? `HTTP ${res.status}`), { status: res.status });
  } catch (cause) {
    return new AuthError("networkError", "Could not reach the server. Check your connection and try again.", { cause });
  }
}

function browserError(cause: unknown): AuthError {
  const name = cause instanceof DOMException ? cause.name : "";
  const detail = name === "NotAllowedError" ? "The passkey request was cancelled or timed out." : "This browser could not use a passkey.";
  return new AuthError("passkeyUnavailable", detail, { cause });
}

async function getAssertion(options: Json): Promise<PublicKeyCredential | AuthError> {
  if (!("credentials" in navigator) || typeof PublicKeyCredential === "undefined") return browserError(undefined);
  try {
    const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
    return credential instanceof PublicKeyCredential ? credential : browserError(undefined);
  } catch (cause) {
    return browserError(cause);
  }
}

async function session(res: Response | AuthError): Promise<SignInResult> {
  if (res instanceof AuthError) return { status: "failed", error: res };
  return { status: "signedIn", session: (await res.json()) as SessionResponse };
}

/** Passwordless sign-in: a discoverable passkey whose PRF output unlocks the mail. */
export async function signInWithPasskey(): Promise<SignInResult> {
  const options = await call("POST", "/auth/passkeys/login/options");
  if (options instanceof AuthError) return { status: "failed", error: options };
  const credential = await getAssertion((await options.json()) as Json);
  if (credential instanceof AuthError) return { status: "failed", error: credential };
  const body: Json = { credential: credentialJson(credential) };
  const prf = prfOutput(credential);
  if (prf) body["prfOutput"] = prf;
  return session(await call("POST", "/auth/passkeys/login", body));
}

/** The second factor after a password: `options` came with the login answer. */
export async function verifyWithPasskey(challenge: string, options: Json): Promise<SignInResult> {
  const credential = await getAssertion(options);
  if (credential instanceof AuthError) return { status: "failed", error: credential };
  const body: Json = { challenge, credential: credentialJson(credential) };
  const prf = prfOutput(credential);
  if (prf) body["prfOutput"] = prf;
  return session(await call("POST", "/auth/passkeys/verify", body));
}

export async function listPasskeys(): Promise<PasskeyResult<PasskeyInfo[]>> {
  const res = await call("GET", "/auth/passkeys");
  if (res instanceof AuthError) return { status: "failed", error: res };
  return { status: "ok", value: (await res.json()) as PasskeyInfo[] };
}

/** Registers a passkey for the signed-in account, asking for its PRF output. */
export async function addPasskey(name: string): Promise<PasskeyResult<PasskeyInfo>> {
  const options = await call("POST", "/auth/passkeys/register/options");
  if (options instanceof AuthError) return { status: "failed", error: options };
  let credential: Credential | null;
  try {
    credential = await navigator.credentials.create({ publicKey: creationOptions((await options.json()) as Json) });
  } catch (cause) {
    return { status: "failed", error: browserError(cause) };
  }
  if (!(credential instanceof PublicKeyCredential)) return { status: "failed", error: browserError(undefined) };
  const body: Json = { credential: credentialJson(credential), name };
  const prf = prfOutput(credential);
  if (prf) body["prfOutput"] = prf;
  const res = await call("POST", "/auth/passkeys/register", body);
  if (res instanceof AuthError) return { status: "failed", error: res };
  return { status: "ok", value: (await res.json()) as PasskeyInfo };
}

/** Removes a passkey; when it is the last second factor the server wants a fresh
 * assertion first (like turning TOTP off needs a code), so ask the browser for one. */
export async function removePasskey(id: string): Promise<PasskeyResult<null>> {
  const path = `/auth/passkeys/${encodeURIComponent(id)}`;
  let res = await call("DELETE", path);
  if (res instanceof AuthError && res.error === "passkeyProofRequired") {
    const options = await call("POST", "/auth/passkeys/remove/options");
    if (options instanceof AuthError) return { status: "failed", error: options };
    const credential = await getAssertion((await options.json()) as Json);
    if (credential instanceof AuthError) return { status: "failed", error: credential };
    res = await call("DELETE", path, { credential: credentialJson(credential) });
  }
  if (res instanceof AuthError) return { status: "failed", error: res };
  return { status: "ok", value: null };
}
