import type { AuthError } from "../../api/auth";

/** The text shown in the sign-in form's alert for a failed request. */
export function errorText(err: AuthError): string {
  let text = err.detail.trim();
  if (err.error === "tooManyAttempts" && err.retryAfter !== undefined && err.retryAfter > 0) {
    text += `${/[.!?]$/.test(text) ? "" : "."} You can try again in ${formatWait(err.retryAfter)}.`;
  }
  return text;
}

/** "1 second", "45 seconds", "2 minutes" (rounded up). */
export function formatWait(seconds: number): string {
  if (seconds < 60) {
    const s = Math.max(1, Math.ceil(seconds));
    return `${s} second${s === 1 ? "" : "s"}`;
  }
  const m = Math.ceil(seconds / 60);
  return `${m} minute${m === 1 ? "" : "s"}`;
}
