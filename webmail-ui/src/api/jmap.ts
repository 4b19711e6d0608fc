/**
 * Typed JMAP client (RFC 8620 core, RFC 8621 mail) for the Sealbox server.
 *
 * `Methods` maps each method name to its argument and response types; a
 * `Batch` sends several calls in one HTTP request and lets later calls use
 * earlier results through result references (RFC 8620 3.7). The SPA signs in
 * with an HttpOnly cookie, so no credential passes through this module.
 */

export type Id = string;
export type UTCDate = string;

// ---------------------------------------------------------------------------
// Data types (RFC 8620 2, RFC 8621 2-7)
// ---------------------------------------------------------------------------

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

export interface ListDeletedResponse {
  accountId: Id;
  /** Newest deletion first; the whole list (the method takes no position or limit). */
  list: DeletedEmail[];
}

/** Vendor: Email/restore brings destroyed emails back as new emails (new ids). */
export interface RestoreResponse {
  accountId: Id;
  newState: string;
  /** Old id -> the new email. */
  restored: Record<Id, { id: Id; threadId: Id; mailboxIds: Record<Id, boolean> }>;
  /** Old id -> why not, e.g. overQuota (SetError-shaped). */
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

// ---------------------------------------------------------------------------
// Standard method shapes (RFC 8620 5)
// ---------------------------------------------------------------------------

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
  "Email/listDeleted": [{ accountId?: Id }, ListDeletedResponse];
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

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

export const CAPABILITIES = {
  core: "urn:ietf:params:jmap:core",
  mail: "urn:ietf:params:jmap:mail",
  submission: "urn:ietf:params:jmap:submission",
  vacation: "urn:ietf:params:jmap:vacationresponse",
  search: "urn:sealbox:search",
  webmail: "urn:sealbox:webmail",
  retention: "urn:sealbox:retention",
} as const;

/** A method-level error response (RFC 8620 3.6.2), e.g. cannotCalculateChanges. */
export class JmapMethodError extends Error {
  constructor(
    readonly type: string,
    readonly method: string,
    description?: string,
  ) {
    super(description ? `${method}: ${type}: ${description}` : `${method}: ${type}`);
    this.name = "JmapMethodError";
  }
}

/** The whole request failed: HTTP status, or the network. `status` 401 means signed out. */
export class JmapRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "JmapRequestError";
  }
}

// ---------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------

type Invocation = [string, Record<string, unknown>, string];

/** One call inside a batch: a result reference source, then its typed response. */
export class Call<M extends MethodName> {
  #response: ResponseOf<M> | undefined;
  #error: JmapMethodError | undefined;

  constructor(
    readonly name: M,
    readonly callId: string,
  ) {}

  /** A reference to a JSON pointer in this call's result, for a later `#arg`. */
  ref(path: string): ResultReference {
    return { resultOf: this.callId, name: this.name, path };
  }

  /** The response, after the batch was sent; throws the method error if there was one. */
  get response(): ResponseOf<M> {
    if (this.#error) throw this.#error;
    if (this.#response === undefined) throw new Error(`${this.name} has no response yet`);
    return this.#response;
  }

  /** @internal */
  settle(name: string, body: Record<string, unknown>): void {
    if (name === "error") {
      const type = typeof body["type"] === "string" ? body["type"] : "serverFail";
      const description = typeof body["description"] === "string" ? body["description"] : undefined;
      this.#error = new JmapMethodError(type, this.name, description);
    } else if (name === this.name) {
      this.#response = body as unknown as ResponseOf<M>;
    }
  }
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Calls added one by one, then sent as one request. */
export class Batch {
  readonly #calls: Call<MethodName>[] = [];
  readonly #invocations: Invocation[] = [];
  readonly #using = new Set<string>([CAPABILITIES.core]);

  constructor(private readonly client: JmapClient) {}

  call<M extends MethodName>(name: M, args: WithRefs<ArgsOf<M>>): Call<M> {
    const callId = `c${this.#calls.length}`;
    const call = new Call(name, callId);
    const capability = capabilityOf(name);
    this.#using.add(capability);
    if (name.startsWith("EmailSubmission/")) this.#using.add(CAPABILITIES.mail);
    const accountId = this.client.accountId(capability);
    this.#invocations.push([name, { accountId, ...args }, callId]);
    this.#calls.push(call as unknown as Call<MethodName>);
    return call;
  }

  get size(): number {
    return this.#calls.length;
  }

  /**
   * Sends the batch; each Call's `response` is then readable. `keepalive` lets the
   * request outlive the page (a draft saved as the tab closes); see `post`.
   */
  async send(signal?: AbortSignal, keepalive = false): Promise<void> {
    const body = { using: [...this.#using], methodCalls: this.#invocations };
    const responses = await this.client.post(body, signal, keepalive);
    const byId = new Map(this.#calls.map((call) => [call.callId, call]));
    for (const [name, result, callId] of responses) {
      byId.get(callId)?.settle(name, result);
    }
  }
}

function capabilityOf(name: MethodName): string {
  if (name.startsWith("VacationResponse/")) return CAPABILITIES.vacation;
  if (name.startsWith("SearchSettings/")) return CAPABILITIES.search;
  if (name.startsWith("WebmailSettings/")) return CAPABILITIES.webmail;
  if (name === "Email/listDeleted" || name === "Email/restore") return CAPABILITIES.retention;
  return name.startsWith("EmailSubmission/") || name.startsWith("Identity/")
    ? CAPABILITIES.submission
    : CAPABILITIES.mail;
}

/**
 * Drops the scheme and host of a Session URL: the SPA always talks to the
 * origin it was loaded from, where its session cookie lives.
 */
export function sameOrigin(url: string): string {
  return url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]+/i, "");
}

/** Fills an RFC 6570 level-1 template such as the downloadUrl. */
export function expandTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in values ? encodeURIComponent(values[key] ?? "") : whole,
  );
}

/** Under the browsers' 64 KiB keepalive quota, with room for a second request in flight. */
const KEEPALIVE_LIMIT = 60_000;

export class JmapClient {
  constructor(
    readonly session: Session,
    private readonly fetchImpl: FetchLike = (input, init) => fetch(input, init),
  ) {}

  /** Fetches the Session resource with the cookie and returns a client for it. */
  static async connect(fetchImpl: FetchLike = (input, init) => fetch(input, init)): Promise<JmapClient> {
    const res = await request(fetchImpl, "/.well-known/jmap", {
      method: "GET",
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    });
    return new JmapClient((await res.json()) as Session, fetchImpl);
  }

  accountId(capability: string = CAPABILITIES.mail): Id {
    const id = this.session.primaryAccounts[capability] ?? this.session.primaryAccounts[CAPABILITIES.mail];
    if (!id) throw new Error(`the session has no account for ${capability}`);
    return id;
  }

  batch(): Batch {
    return new Batch(this);
  }

  /** One call on its own: the common case. */
  async call<M extends MethodName>(name: M, args: WithRefs<ArgsOf<M>>, signal?: AbortSignal): Promise<ResponseOf<M>> {
    const batch = this.batch();
    const call = batch.call(name, args);
    await batch.send(signal);
    return call.response;
  }

  downloadUrl(blobId: Id, name: string, type: string): string {
    return expandTemplate(sameOrigin(this.session.downloadUrl), {
      accountId: this.accountId(),
      blobId,
      name,
      type,
    });
  }

  eventSourceUrl(types = "*"): string {
    return expandTemplate(sameOrigin(this.session.eventSourceUrl), {
      types,
      closeafter: "no",
      ping: "30",
    });
  }

  /** @internal */
  async post(body: unknown, signal?: AbortSignal, keepalive = false): Promise<Invocation[]> {
    const init: RequestInit = {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    };
    // Browsers refuse keepalive bodies over 64 KiB (in flight, per page), so a large one
    // goes as an ordinary request. sendBeacon is no better: it has the same limit and
    // cannot send JSON's Content-Type. The session cookie authenticates either way.
    if (keepalive && typeof init.body === "string" && init.body.length < KEEPALIVE_LIMIT) init.keepalive = true;
    if (signal) init.signal = signal;
    const res = await request(this.fetchImpl, sameOrigin(this.session.apiUrl), init);
    const parsed = (await res.json()) as { methodResponses?: Invocation[] };
    if (!Array.isArray(parsed.methodResponses)) {
      throw new JmapRequestError(res.status, "the JMAP response has no methodResponses");
    }
    return parsed.methodResponses;
  }
}

async function request(fetchImpl: FetchLike, url: string, init: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetchImpl(url, init);
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new JmapRequestError(0, "Could not reach the server. Check your connection.");
  }
  if (!res.ok) {
    const detail = await res.text().catch(() => "");
    throw new JmapRequestError(res.status, `HTTP ${res.status}${detail ? `: ${detail.slice(0, 200)}` : ""}`);
  }
  return res;
}

/** The body of an EventSource "state" event (RFC 8620 7.1). */
export interface StateChange {
  "@type": "StateChange";
  changed: Record<Id, Record<string, string>>;
}

export function parseStateChange(data: string): StateChange | null {
  try {
    const value = JSON.parse(data) as Partial<StateChange>;
    return value["@type"] === "StateChange" && typeof value.changed === "object" && value.changed
      ? (value as StateChange)
      : null;
  } catch {
    return null;
  }
}
