/**
 * The map from JMAP method name to its argument and response types, which makes every
 * call typed, and result references (RFC 8620 3.7) over it.
 */
import type {
  ChangesArgs,
  ChangesResponse,
  EmailFilter,
  EmailGetArgs,
  EmailSubmissionSetArgs,
  GetArgs,
  GetResponse,
  QueryArgs,
  QueryResponse,
  SetArgs,
  SetResponse,
} from "./shapes";
import type {
  Email,
  EmailCreate,
  EmailSubmission,
  Id,
  Identity,
  ListDeletedArgs,
  ListDeletedResponse,
  Mailbox,
  RestoreResponse,
  SearchSettings,
  VacationResponse,
  WebmailSettings,
} from "./types";

/** Every method this client speaks: name -> [arguments, response]. */
export interface Methods {
  "Mailbox/get": [GetArgs, GetResponse<Mailbox>];
  "Mailbox/changes": [ChangesArgs, ChangesResponse];
  "Email/query": [QueryArgs<EmailFilter>, QueryResponse];
  "Email/get": [EmailGetArgs, GetResponse<Email>];
  "Email/changes": [ChangesArgs, ChangesResponse];
  "Email/set": [SetArgs<EmailCreate>, SetResponse<Email>];
  "Thread/get": [GetArgs, GetResponse<{ id: Id; emailIds: Id[] }>];
  "Identity/get": [GetArgs, GetResponse<Identity>];
  "Identity/set": [SetArgs<Partial<Identity>>, SetResponse<Identity>];
  "VacationResponse/get": [GetArgs, GetResponse<VacationResponse>];
  "VacationResponse/set": [SetArgs<never>, SetResponse<VacationResponse>];
  "EmailSubmission/set": [EmailSubmissionSetArgs, SetResponse<EmailSubmission>];
  "SearchSettings/get": [GetArgs, GetResponse<SearchSettings>];
  "SearchSettings/set": [SetArgs<never>, SetResponse<SearchSettings>];
  "WebmailSettings/get": [GetArgs, GetResponse<WebmailSettings>];
  "WebmailSettings/set": [SetArgs<never>, SetResponse<WebmailSettings>];
  "Email/listDeleted": [ListDeletedArgs, ListDeletedResponse];
  "Email/restore": [{ accountId?: Id; ids: Id[] }, RestoreResponse];
}

export type MethodName = keyof Methods;
export type ArgsOf<M extends MethodName> = Methods[M][0];
export type ResponseOf<M extends MethodName> = Methods[M][1];

export interface ResultReference {
  resultOf: string;
  name: MethodName;
  path: string;
}

/** Arguments where any property may instead be a `#property` result reference. */
export type WithRefs<A> = { [K in keyof A]?: A[K] } & {
  [K in keyof A as `#${string & K}`]?: ResultReference;
};

