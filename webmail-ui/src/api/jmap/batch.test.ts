import { describe, expect, it } from "vitest";
import { JmapClient } from "./client";
import { JmapMethodError, JmapRequestError } from "./errors";
import { answering, SESSION } from "./test-session";

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

describe("capabilities", () => {
  it("declares the vendor capability of each vendor method it sends", async () => {
    const fetchMock = answering([
      ["Email/listDeleted", { accountId: "A1", list: [], total: 0, position: 0 }, "c0"],
      ["SearchSettings/get", { accountId: "A1", state: "s", list: [], notFound: [] }, "c1"],
    ]);
    const batch = new JmapClient(SESSION, fetchMock).batch();
    batch.call("Email/listDeleted", {});
    batch.call("SearchSettings/get", { ids: null });
    await batch.send();
    expect(JSON.parse(fetchMock.mock.calls[0]![1].body as string).using).toEqual([
      "urn:ietf:params:jmap:core",
      "urn:sealbox:retention",
      "urn:sealbox:search",
    ]);
  });
});
