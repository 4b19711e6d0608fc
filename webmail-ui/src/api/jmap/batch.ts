/**
 * A batch of method calls sent as one JMAP request (RFC 8620 3.3), each call typed by
 * `Methods` and usable as the source of a later call's result reference (3.7).
 */
import { CAPABILITIES, JmapMethodError } from "./errors";
import type { ArgsOf, MethodName, ResponseOf, ResultReference, WithRefs } from "./methods";
import type { Id } from "./types";

export type Invocation = [string, Record<string, unknown>, string];

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

/** What a batch needs of the client: the account for each capability, and the POST. */
export interface BatchTransport {
  accountId(capability: string): Id;
  post(body: unknown, signal?: AbortSignal, keepalive?: boolean): Promise<Invocation[]>;
}

/** Calls added one by one, then sent as one request. */
export class Batch {
  readonly #calls: Call<MethodName>[] = [];
  readonly #invocations: Invocation[] = [];
  readonly #using = new Set<string>([CAPABILITIES.core]);

  constructor(private readonly client: BatchTransport) {}

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

