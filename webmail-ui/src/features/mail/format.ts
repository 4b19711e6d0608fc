/** How dates, people, sizes and header sections read in the list and the reading pane. */
import type { EmailAddress, EmailHeader } from "../../api/jmap";

/** Time today, "3 Dec" this year, else "3 Dec 2024"; `now` is injectable for tests. */
export function shortDate(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  if (date.toDateString() === now.toDateString()) {
    return date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  }
  const sameYear = date.getFullYear() === now.getFullYear();
  return date.toLocaleDateString(undefined, {
    day: "numeric",
    month: "short",
    ...(sameYear ? {} : { year: "numeric" }),
  });
}

export function longDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? ""
    : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function personName(address: EmailAddress | undefined): string {
  if (!address) return "(unknown sender)";
  return address.name?.trim() || address.email;
}

export function people(addresses: readonly EmailAddress[]): string {
  return addresses.map((a) => (a.name ? `${a.name} <${a.email}>` : a.email)).join(", ");
}

export function byteSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The header section as it arrived (RFC 8621 raw values keep their folding and the space
 * after the colon); shown as text, never parsed as HTML. */
export function headerText(headers: readonly EmailHeader[]): string {
  return headers.map((field) => `${field.name}:${field.value.replace(/\r\n/g, "\n")}`).join("\n");
}
