/** TOTP enrolment helpers: reading an otpauth:// URI and showing its secret readably. */

export interface OtpauthInfo {
  label: string;
  issuer: string;
  secret: string;
}

/** Parses otpauth://totp/LABEL?secret=...&issuer=... (Key Uri Format); null if it is not one. */
export function parseOtpauth(uri: string): OtpauthInfo | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return null;
  }
  if (url.protocol !== "otpauth:") return null;
  const secret = url.searchParams.get("secret");
  if (!secret) return null;
  // otpauth is not a special scheme: "totp" parses as the host, the label as the path.
  const label = decodeURIComponent(url.pathname.replace(/^\/+/, ""));
  return { label, issuer: url.searchParams.get("issuer") ?? "", secret };
}

/** "JBSWY3DPEHPK3PXP" -> "JBSW Y3DP EHPK 3PXP": easier to type into an app by hand. */
export function groupSecret(secret: string): string {
  return (secret.replace(/\s+/g, "").toUpperCase().match(/.{1,4}/g) ?? []).join(" ");
}

/** A code as typed ("123 456", "123-456") reduced to its digits, or null unless six. */
export function normaliseCode(typed: string): string | null {
  const digits = typed.replace(/[\s-]+/g, "");
  return /^[0-9]{6}$/.test(digits) ? digits : null;
}
