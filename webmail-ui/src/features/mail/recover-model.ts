/**
 * Recovering deleted mail through the urn:sealbox:retention vendor capability: the
 * server keeps destroyed mail `retentionDays` (30) before it is crypto-shredded.
 * Email/listDeleted pages as a /query does (position, limit, total; RFC 8620 5.5), so
 * the view asks the server for one page at a time; Email/restore takes at most
 * maxObjectsInSet ids, so restores are sent in chunks of that size. A restored email is
 * a new email (new id, RFC 8620 1.2) in the mailboxes it was in that still exist, else
 * the Inbox; one that does not fit the quota, or has nowhere to go, comes back in
 * notRestored and stays deleted.
 */
import { CAPABILITIES, type DeletedEmail, type Id, type JmapClient, type SetError } from "../../api/jmap";
import { pageSize } from "./empty-trash";

const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_RETENTION_DAYS = 30;

export interface DeletedItem extends DeletedEmail {
  /** Days until the purge, rounded up (30 just after deletion, 1 on its last day). */
  daysLeft: number;
}

/** The server's promise in days, from the session (30 if it does not say). */
export function retentionDays(client: JmapClient): number {
  const capability = client.session.capabilities[CAPABILITIES.retention] as Record<string, unknown> | undefined;
  const days = capability?.["retentionDays"];
  return typeof days === "number" && days > 0 ? days : DEFAULT_RETENTION_DAYS;
}

/** Whether the server offers recovery at all. */
export function canRecover(client: JmapClient): boolean {
  return CAPABILITIES.retention in client.session.capabilities;
}

/** Days left before `deletedAt` + `days` passes, counted from `now` and rounded up, as a
 * user counts ("30 days" just after deleting); 0 once past, until the purge runs. */
export function daysLeft(deletedAt: string, days: number, now: number = Date.now()): number {
  const deleted = Date.parse(deletedAt);
  if (Number.isNaN(deleted)) return 0;
  return Math.max(0, Math.ceil((deleted + days * DAY_MS - now) / DAY_MS));
}

export interface DeletedPage {
  /** This page's rows, newest deletion first, each with its days left. */
  rows: DeletedItem[];
  /** The page shown (from 0): the one asked for, or the last when that is past the end. */
  page: number;
  pages: number;
  /** How many deleted emails are kept in all. */
  total: number;
}

/** Page `page` (from 0) of the deleted mail, `size` per page, read from the server. */
export async function listDeleted(client: JmapClient, page: number, size: number, now: number = Date.now()): Promise<DeletedPage> {
  const days = retentionDays(client);
  const want = Math.max(0, page);
  let answer = await client.call("Email/listDeleted", { position: want * size, limit: size });
  const pages = (total: number): number => Math.max(1, Math.ceil(total / size));
  // Restores (here or elsewhere) shrank the list under this page: show the last one.
  const last = pages(answer.total) - 1;
  if (want > last) answer = await client.call("Email/listDeleted", { position: last * size, limit: size });
  const rows = answer.list.map((item) => ({ ...item, daysLeft: daysLeft(item.deletedAt, days, now) }));
  return { rows, page: Math.floor(answer.position / size), pages: pages(answer.total), total: answer.total };
}

export interface RestoreOutcome {
  /** Old id -> the new email's id. */
  restored: Map<Id, Id>;
  /** Old id -> a sentence for the user, why it stayed deleted. */
  failed: Map<Id, string>;
}

const GONE = "Not restored: it is no longer kept (already restored or purged).";
const NOWHERE = "Not restored: the folders it was in are gone and your account has no Inbox to put it in.";

/** What a notRestored SetError means for the user. */
export function restoreError(error: SetError | undefined): string {
  if (error?.type === "overQuota") return "Not restored: your mailbox is full. Delete some mail and try again.";
  if (error?.type === "invalidProperties" && error.properties?.includes("mailboxIds")) return NOWHERE;
  if (error?.description) return `Not restored: ${error.description}`;
  return `Not restored (${error?.type ?? "unknown error"}).`;
}


/** Restores `ids`, as many per request as the server allows. */
export async function restore(client: JmapClient, ids: readonly Id[]): Promise<RestoreOutcome> {
  const outcome: RestoreOutcome = { restored: new Map(), failed: new Map() };
  const size = pageSize(client);
  for (let start = 0; start < ids.length; start += size) {
    const chunk = ids.slice(start, start + size);
    const answer = await client.call("Email/restore", { ids: chunk });
    for (const [old, email] of Object.entries(answer.restored ?? {})) outcome.restored.set(old, email.id);
    for (const [old, error] of Object.entries(answer.notRestored ?? {})) outcome.failed.set(old, restoreError(error));
    for (const old of answer.notFound ?? []) outcome.failed.set(old, GONE);
    // An id the server did not mention at all still did not come back.
    for (const old of chunk) if (!outcome.restored.has(old) && !outcome.failed.has(old)) outcome.failed.set(old, GONE);
  }
  return outcome;
}
