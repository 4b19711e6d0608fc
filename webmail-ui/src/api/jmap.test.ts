import { describe, expect, it, vi } from "vitest";
import { expandTemplate, JmapClient, JmapMethodError, JmapRequestError, parseStateChange, sameOrigin, type Session } from "./jmap";

const SESSION: Session = {
  capabilities: {},
  primaryAccounts: { "urn:ietf:params:jmap:mail": "A1", "urn:ietf:params:jmap:submission": "A1" },
  username: "alice@example.org",
  apiUrl: "https://mail.example.org/jmap/api/",
  downloadUrl: "https://mail.example.org/jmap/download/{accountId}/{blobId}/{name}?type={type}",
  uploadUrl: "https://mail.example.org/jmap/upload/{accountId}/",
  eventSourceUrl: "https://mail.example.org/jmap/eventsource/?types={types}&closeafter={closeafter}&ping={ping}",
  state: "s1",
};

function answering(methodResponses: unknown[]) {
  return vi.fn(async (_url: string, _init: RequestInit) =>
    new Response(JSON.stringify({ methodResponses, sessionState: "s1" }), { status: 200 }),
  );
}

describe("Batch", () => {
  it("sends calls with result references in one request and types each response", async () => {
    const fetchMock = answering([
      ["Email/query", { accountId: "A1", ids: ["e1", "e2"], position: 0, queryState: "q", canCalculateChanges: true, total: 2 }, "c0"],
      ["Email/get", { accountId: "A1", state: "s9", list: [{ id: "e1" }, { id: "e2" }], notFound: [] }, "c1"],
    ]);
    const client = new JmapClient(SESSION, fetchMock);
    const batch = client.batch();
    const query = batch.call("Email/query", { filter: { inMailbox: "inbox" }, limit: 2 });
    const get = batch.call("Email/get", { "#ids": query.ref("/ids"), properties: ["subject"] });
    await batch.send();

    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe("/jmap/api/");
    expect(init.credentials).toBe("same-origin");
    expect(JSON.parse(init.body as string)).toEqual({
      using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"],
      methodCalls: [
        ["Email/query", { accountId: "A1", filter: { inMailbox: "inbox" }, limit: 2 }, "c0"],
        [
          "Email/get",
          { accountId: "A1", "#ids": { resultOf: "c0", name: "Email/query", path: "/ids" }, properties: ["subject"] },
          "c1",
        ],
      ],
    });
    expect(query.response.total).toBe(2);
    expect(get.response.list.map((e) => e.id)).toEqual(["e1", "e2"]);
  });

  it("adds the submission capability and ignores the implicit Email/set of onSuccessUpdateEmail", async () => {
    const fetchMock = answering([
      ["EmailSubmission/set", { accountId: "A1", newState: "2", created: { s: { id: "S1" } } }, "c0"],
      ["Email/set", { accountId: "A1", newState: "3", updated: { E1: null } }, "c0"],
    ]);
    const client = new JmapClient(SESSION, fetchMock);
    const result = await client.call("EmailSubmission/set", {
      create: { s: { emailId: "E1", identityId: "I1" } },
      onSuccessUpdateEmail: { "#s": { "keywords/$draft": null } },
    });
    expect(result.created?.["s"]?.id).toBe("S1");
    const body = JSON.parse(fetchMock.mock.calls[0]![1].body as string);
    expect(body.using).toEqual([
      "urn:ietf:params:jmap:core",
      "urn:ietf:params:jmap:submission",
      "urn:ietf:params:jmap:mail",
    ]);
  });

  it("turns a method error into a JmapMethodError on that call only", async () => {
    const client = new JmapClient(
      SESSION,
      answering([
        ["error", { type: "cannotCalculateChanges" }, "c0"],
        ["Mailbox/get", { accountId: "A1", state: "m", list: [], notFound: [] }, "c1"],
      ]),
    );
    const batch = client.batch();
    const changes = batch.call("Email/changes", { sinceState: "old" });
    const boxes = batch.call("Mailbox/get", { ids: null });
    await batch.send();
    expect(() => changes.response).toThrow(JmapMethodError);
    expect(() => changes.response).toThrow(/cannotCalculateChanges/);
    expect(boxes.response.list).toEqual([]);
  });

  it("reports HTTP failures with their status (401: signed out)", async () => {
    const client = new JmapClient(SESSION, async () => new Response("sign in first", { status: 401 }));
    const error = await client.call("Mailbox/get", { ids: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JmapRequestError);
    expect((error as JmapRequestError).status).toBe(401);
  });

  it("reports a network failure as status 0", async () => {
    const client = new JmapClient(SESSION, async () => {
      throw new TypeError("offline");
    });
    await expect(client.call("Mailbox/get", { ids: null })).rejects.toMatchObject({ status: 0 });
  });
});

describe("URLs", () => {
  it("keeps only the path of Session URLs so the cookie's origin is used", () => {
    expect(sameOrigin("https://mail.example.org:8443/jmap/api/")).toBe("/jmap/api/");
    expect(sameOrigin("/already/relative")).toBe("/already/relative");
  });

  it("fills download and event source templates, escaping values", () => {
    const client = new JmapClient(SESSION);
    expect(client.downloadUrl("B 1", "a/b.txt", "text/plain")).toBe(
      "/jmap/download/A1/B%201/a%2Fb.txt?type=text%2Fplain",
    );
    expect(client.eventSourceUrl()).toBe("/jmap/eventsource/?types=*&closeafter=no&ping=30");
    expect(expandTemplate("{a}-{missing}", { a: "x" })).toBe("x-{missing}");
  });

  it("parses StateChange push events and rejects anything else", () => {
    expect(parseStateChange('{"@type":"StateChange","changed":{"A1":{"Email":"5"}}}')?.changed).toEqual({
      A1: { Email: "5" },
    });
    expect(parseStateChange('{"@type":"Other"}')).toBeNull();
    expect(parseStateChange("not json")).toBeNull();
  });

  it("sends keepalive (to outlive a closing tab) only for bodies under the browsers' 64 KiB quota", async () => {
    const fetchMock = answering([["Email/set", { accountId: "A1", created: {} }, "c0"]]);
    const client = new JmapClient(SESSION, fetchMock);
    for (const [size, keepalive] of [[10, true], [70_000, undefined]] as const) {
      const batch = client.batch();
      batch.call("Email/set", { update: { e1: { "keywords/x": "x".repeat(size) } } });
      await batch.send(undefined, true);
      expect(fetchMock.mock.calls.at(-1)![1].keepalive).toBe(keepalive);
    }
    await client.call("Email/set", {});
    expect(fetchMock.mock.calls.at(-1)![1].keepalive).toBeUndefined();
  });
});
