/**
 * The JMAP data types this client reads and writes (RFC 8620 2, RFC 8621 2-7, and the
 * Sealbox vendor capabilities): plain interfaces, as the server sends them.
 */

import type { SetError } from "./shapes";

export type Id = string;
export type UTCDate = string;

export interface Session {
  capabilities: Record<string, unknown>;
  primaryAccounts: Record<string, Id>;
  username: string;
  apiUrl: string;
  downloadUrl: string;
  uploadUrl: string;
  eventSourceUrl: string;
  state: string;
}

export interface Mailbox {
  id: Id;
  name: string;
  parentId: Id | null;
  role: string | null;
  sortOrder: number;
  totalEmails: number;
  unreadEmails: number;
  totalThreads: number;
  unreadThreads: number;
}

export interface EmailAddress {
  name: string | null;
  email: string;
}

export interface EmailBodyPart {
  partId: string | null;
  blobId: Id | null;
  size: number;
  name: string | null;
  type: string;
  charset?: string | null;
  disposition: string | null;
  cid: string | null;
}

export interface EmailBodyValue {
  value: string;
  isEncodingProblem: boolean;
  isTruncated: boolean;
}

/** An Email as returned by Email/get: only the requested properties are present. */
export interface Email {
  id: Id;
  blobId?: Id;
  threadId?: Id;
  mailboxIds?: Record<Id, boolean>;
  keywords?: Record<string, boolean>;
  size?: number;
  receivedAt?: UTCDate;
  messageId?: string[] | null;
  inReplyTo?: string[] | null;
  references?: string[] | null;
  from?: EmailAddress[] | null;
  to?: EmailAddress[] | null;
  cc?: EmailAddress[] | null;
  replyTo?: EmailAddress[] | null;
  subject?: string | null;
  sentAt?: string | null;
  hasAttachment?: boolean;
  preview?: string;
  textBody?: EmailBodyPart[];
  htmlBody?: EmailBodyPart[];
  attachments?: EmailBodyPart[];
  bodyValues?: Record<string, EmailBodyValue>;
  /** Every header field as it arrived, in order (RFC 8621 4.1.3). */
  headers?: EmailHeader[];
}

export interface EmailHeader {
  name: string;
  value: string;
}

/** What Email/set create accepts for a draft (RFC 8621 4.6). */
export interface EmailCreate {
  mailboxIds: Record<Id, boolean>;
  keywords?: Record<string, boolean>;
  from: EmailAddress[];
  to: EmailAddress[];
  cc?: EmailAddress[];
  subject: string;
  inReplyTo?: string[];
  references?: string[];
  textBody: { partId: string; type: "text/plain" }[];
  attachments?: { blobId: Id; type: string; name: string; disposition: "attachment" }[];
  bodyValues: Record<string, { value: string }>;
}

export interface Identity {
  id: Id;
  name: string;
  email: string;
  textSignature?: string;
  htmlSignature?: string;
  mayDelete?: boolean;
}

/** RFC 8621 8: the singleton "singleton". */
export interface VacationResponse {
  id: "singleton";
  isEnabled: boolean;
  fromDate: UTCDate | null;
  toDate: UTCDate | null;
  subject: string | null;
  textBody: string | null;
  htmlBody: string | null;
}

/** Vendor singleton (urn:sealbox:search): the full-text index switch and its stemmer. */
export interface SearchSettings {
  id: "singleton";
  enabled: boolean;
  language: string;
}

/** Vendor singleton (urn:sealbox:webmail): the webmail's own preferences, sealed at rest. */
export interface WebmailSettings {
  id: "singleton";
  /** Lower-case addresses whose remote images load without asking. */
  imageSenders: string[];
}

/** Vendor (urn:sealbox:retention): a destroyed email still kept, from Email/listDeleted. */
export interface DeletedEmail {
  id: Id;
  receivedAt: UTCDate;
  deletedAt: UTCDate;
  size: number;
  subject: string | null;
  from: EmailAddress[] | null;
}

/** Email/listDeleted pages as a /query does (RFC 8620 5.5). */
export interface ListDeletedArgs {
  accountId?: Id;
  /** Where the page starts (0 first); negative counts from the end. */
  position?: number;
  /** At most this many; the server clamps it to its maximum. */
  limit?: number | null;
}

export interface ListDeletedResponse {
  accountId: Id;
  /** Newest deletion first, `limit` of them from `position`. */
  list: DeletedEmail[];
  position: number;
  /** How many deleted emails are kept in all. */
  total: number;
  /** Only when the server clamped the limit asked for. */
  limit?: number;
}

/** Vendor: Email/restore brings destroyed emails back as new emails (new ids). */
export interface RestoreResponse {
  accountId: Id;
  newState: string;
  /** Old id -> the new email. */
  restored: Record<Id, { id: Id; threadId: Id; mailboxIds: Record<Id, boolean> }>;
  /** Old id -> why not: overQuota, or invalidProperties on mailboxIds (nowhere to go). */
  notRestored: Record<Id, SetError> | null;
  /** Ids no longer kept (already restored or purged). */
  notFound: Id[];
}

export interface EmailSubmissionCreate {
  emailId: Id | `#${string}`;
  identityId: Id;
}

export interface EmailSubmission {
  id: Id;
  emailId?: Id;
  undoStatus?: string;
}

