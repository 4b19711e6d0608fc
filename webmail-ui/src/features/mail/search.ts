/**
 * The search box's little language: `from:x to:y subject:"a b" has:attachment`
 * and free words, turned into an Email/query filter (RFC 8621 4.4.1). Holds no DOM.
 */
import type { EmailFilter, FilterOperator, Id } from "../../api/jmap";

export type QueryFilter = EmailFilter | FilterOperator<EmailFilter>;

export interface ParsedSearch {
  from: string[];
  to: string[];
  subject: string[];
  hasAttachment: boolean;
  /** Words outside any `name:`, matched by the full-text `text` condition. */
  text: string[];
}

const TOKEN = /(?:(\w+):)?(?:"([^"]*)"?|(\S+))/g;

/** Splits the query into named terms and free words; unknown `name:` stays free text. */
export function parseSearch(query: string): ParsedSearch {
  const out: ParsedSearch = { from: [], to: [], subject: [], hasAttachment: false, text: [] };
  for (const match of query.matchAll(TOKEN)) {
    const name = match[1]?.toLowerCase();
    const value = (match[2] ?? match[3] ?? "").trim();
    if (name === "has" && value.toLowerCase() === "attachment") out.hasAttachment = true;
    else if ((name === "from" || name === "to" || name === "subject") && value) out[name].push(value);
    else if (name && !value) out.text.push(`${match[1]}:`);
    else if (value) out.text.push(name ? `${match[1]}:${value}` : value);
  }
  return out;
}

export function isEmptySearch(search: ParsedSearch): boolean {
  return !search.hasAttachment && [search.from, search.to, search.subject, search.text].every((l) => !l.length);
}

/**
 * One condition per term, ANDed with the mailbox. With `fullText` false (the
 * account's search index is off) free words match the subject or sender instead.
 */
export function searchFilter(search: ParsedSearch, mailboxId: Id | null, fullText = true): QueryFilter {
  const conditions: QueryFilter[] = [];
  if (mailboxId) conditions.push({ inMailbox: mailboxId });
  for (const from of search.from) conditions.push({ from });
  for (const to of search.to) conditions.push({ to });
  for (const subject of search.subject) conditions.push({ subject });
  if (search.hasAttachment) conditions.push({ hasAttachment: true });
  if (search.text.length && fullText) conditions.push({ text: search.text.join(" ") });
  else if (!fullText) {
    for (const word of search.text) conditions.push({ operator: "OR", conditions: [{ subject: word }, { from: word }] });
  }
  if (conditions.length === 1) return conditions[0]!;
  return { operator: "AND", conditions };
}
