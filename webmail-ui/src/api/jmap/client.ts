/**
 * The JMAP client over one Session (RFC 8620 2): fetches the Session, posts batches to
 * the apiUrl, and fills the download and event source URL templates. The SPA signs in
 * with an HttpOnly cookie, so no credential passes through this module.
 */
import { Batch, type FetchLike, type Invocation } from "./batch";
import { CAPABILITIES, JmapRequestError } from "./errors";
import type { ArgsOf, MethodName, ResponseOf, WithRefs } from "./methods";
import type { Id, Session } from "./types";

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

