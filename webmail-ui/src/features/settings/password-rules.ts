/**
 * Client-side checks for a new password, the same cheap rules the server
 * applies (api/core/password_policy.py); the server also runs zxcvbn and its
 * reason is shown as it comes.
 */
export const MIN_PASSWORD_LENGTH = 12;
const MIN_LOCAL_PART_MATCH = 3;

export interface PasswordChange {
  current: string;
  next: string;
  repeat: string;
}

/** A reason the change cannot be sent, or null when it may go to the server. */
export function passwordProblem(change: PasswordChange, address: string): string | null {
  if (!change.current) return "Enter your current password.";
  if (change.next.length < MIN_PASSWORD_LENGTH) {
    return `The new password must be at least ${MIN_PASSWORD_LENGTH} characters long.`;
  }
  const at = address.lastIndexOf("@");
  const local = (at < 0 ? "" : address.slice(0, at)).toLowerCase();
  if (local.length >= MIN_LOCAL_PART_MATCH && change.next.toLowerCase().includes(local)) {
    return "The new password must not contain the part of your address before @.";
  }
  if (change.next === change.current) return "The new password must differ from the current one.";
  if (change.next !== change.repeat) return "The two new passwords do not match.";
  return null;
}
