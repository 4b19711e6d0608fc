/**
 * The standard method shapes (RFC 8620 5: /get, /changes, /set, /query), generic over
 * the data type they carry.
 */
import type { EmailSubmissionCreate, Id } from "./types";

export interface GetArgs {
  accountId?: Id;
  ids: Id[] | null;
  properties?: string[];
}

export interface GetResponse<T> {
  accountId: Id;
  state: string;
  list: T[];
  notFound: Id[];
}

export interface ChangesArgs {
  accountId?: Id;
  sinceState: string;
  maxChanges?: number;
}

export interface ChangesResponse {
  accountId: Id;
  oldState: string;
  newState: string;
  hasMoreChanges: boolean;
  created: Id[];
  updated: Id[];
  destroyed: Id[];
}

/** A PatchObject (RFC 8620 5.3): JSON-pointer paths to new values, null removes. */
export type PatchObject = Record<string, unknown>;

export interface SetError {
  type: string;
  description?: string;
  properties?: string[];
}

export interface SetArgs<C, P = PatchObject> {
  accountId?: Id;
  ifInState?: string;
  create?: Record<string, C>;
  update?: Record<Id, P>;
  destroy?: Id[];
}

export interface SetResponse<T> {
  accountId: Id;
  oldState: string | null;
  newState: string;
  created: Record<string, T> | null;
  updated: Record<Id, T | null> | null;
  destroyed: Id[] | null;
  notCreated: Record<string, SetError> | null;
  notUpdated: Record<Id, SetError> | null;
  notDestroyed: Record<Id, SetError> | null;
}

export interface EmailFilter {
  inMailbox?: Id;
  text?: string;
  from?: string;
  to?: string;
  subject?: string;
  hasAttachment?: boolean;
  hasKeyword?: string;
  notKeyword?: string;
}

/** A FilterOperator (RFC 8620 5.5): conditions combined by AND, OR or NOT. */
export interface FilterOperator<F> {
  operator: "AND" | "OR" | "NOT";
  conditions: (F | FilterOperator<F>)[];
}

export interface Comparator {
  property: string;
  isAscending?: boolean;
}

export interface QueryArgs<F> {
  accountId?: Id;
  filter?: F | FilterOperator<F> | null;
  sort?: Comparator[];
  position?: number;
  anchor?: Id;
  anchorOffset?: number;
  limit?: number;
  calculateTotal?: boolean;
  collapseThreads?: boolean;
}

export interface QueryResponse {
  accountId: Id;
  queryState: string;
  canCalculateChanges: boolean;
  position: number;
  ids: Id[];
  total?: number;
}

export interface EmailGetArgs extends GetArgs {
  bodyProperties?: string[];
  fetchTextBodyValues?: boolean;
  fetchHTMLBodyValues?: boolean;
  fetchAllBodyValues?: boolean;
  maxBodyValueBytes?: number;
}

export interface EmailSubmissionSetArgs extends SetArgs<EmailSubmissionCreate> {
  onSuccessUpdateEmail?: Record<string, PatchObject>;
  onSuccessDestroyEmail?: string[];
}

