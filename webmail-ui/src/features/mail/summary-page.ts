/**
 * One page of a message list: Email/query at a position, then Email/get of its ids by
 * result reference (and Thread/get for thread sizes), in one request (RFC 8620 3.7,
 * RFC 8621 4.4), as the list's summaries.
 */
import type { Comparator, Email, EmailAddress, Id, JmapClient } from "../../api/jmap";
import type { QueryFilter } from "./search";

export interface MessageSummary {
  id: Id;
  threadId: Id;
  mailboxIds: Record<Id, boolean>;
  keywords: Record<string, boolean>;
  receivedAt: string;
  from: EmailAddress[];
  to: EmailAddress[];
  subject: string;
  preview: string;
  hasAttachment: boolean;
  /** Messages in its thread, known when the list collapses threads. */
  threadSize?: number;
}

/** Cheap properties: the server answers these from the summary row. */
export const SUMMARY_PROPERTIES = [
  "threadId",
  "mailboxIds",
  "keywords",
  "receivedAt",
  "from",
  "to",
  "subject",
  "preview",
  "hasAttachment",
];

export function toSummary(email: Email): MessageSummary {
  return {
    id: email.id,
    threadId: email.threadId ?? email.id,
    mailboxIds: email.mailboxIds ?? {},
    keywords: email.keywords ?? {},
    receivedAt: email.receivedAt ?? "",
    from: email.from ?? [],
    to: email.to ?? [],
    subject: email.subject ?? "",
    preview: email.preview ?? "",
    hasAttachment: email.hasAttachment ?? false,
  };
}

export interface SummaryPage {
  summaries: MessageSummary[];
  /** Where the page starts, as the server used it. */
  position: number;
  /** How many rows the list has, when asked for (`withTotal`). */
  total: number | null;
  /** The Email state the summaries reflect. */
  state: string;
}

export interface PageQuery {
  filter: QueryFilter;
  sort: Comparator[];
  position: number;
  limit: number;
  /** One row per thread, each with its size (RFC 8621 4.4.3). */
  collapseThreads: boolean;
  /** calculateTotal: a count of the whole mailbox, which costs as much as a deep page. */
  withTotal: boolean;
}

export async function fetchSummaries(client: JmapClient, q: PageQuery): Promise<SummaryPage> {
  const batch = client.batch();
  const { withTotal, ...args } = q;
  const query = batch.call("Email/query", { ...args, calculateTotal: withTotal });
  const get = batch.call("Email/get", { "#ids": query.ref("/ids"), properties: SUMMARY_PROPERTIES });
  const threads = q.collapseThreads ? batch.call("Thread/get", { "#ids": get.ref("/list/*/threadId") }) : undefined;
  await batch.send();
  const sizes = new Map((threads?.response.list ?? []).map((t) => [t.id, t.emailIds.length]));
  const summaries = get.response.list.map((email) => {
    const summary = toSummary(email);
    const size = sizes.get(summary.threadId);
    return size === undefined ? summary : { ...summary, threadSize: size };
  });
  const { total, position } = query.response;
  return { summaries, position, total: withTotal ? (total ?? 0) : null, state: get.response.state };
}
