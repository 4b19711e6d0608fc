import { describe, expect, it, vi } from "vitest";
import { JmapClient, type Session } from "../../api/jmap";
import { canRecover, daysLeft, listDeleted, restore, restoreError, retentionDays } from "./recover-model";

function session(maxObjectsInSet: number, retention: Record<string, unknown> | null = { retentionDays: 30 }): Session {
  return {
    capabilities: {
      "urn:ietf:params:jmap:core": { maxObjectsInGet: 500, maxObjectsInSet },
      ...(retention ? { "urn:sealbox:retention": retention } : {}),
    },
    primaryAccounts: { "urn:ietf:params:jmap:mail": "A1" },
    username: "a@x",
    apiUrl: "/jmap/api/",
    downloadUrl: "/d",
    uploadUrl: "/u",
    eventSourceUrl: "/e",
    state: "s",
  };
}

type Request = { using: string[]; methodCalls: [string, Record<string, any>, string][] };

/** Answers each call with `answer(name, args)`, recording the requests. */
function fake(answer: (name: string, args: Record<string, any>) => Record<string, unknown>) {
  const requests: Request[] = [];
  const fetchMock = vi.fn(async (_url: string, init: RequestInit) => {
    const request = JSON.parse(init.body as string) as Request;
    requests.push(request);
    const responses = request.methodCalls.map(([name, args, id]) => [name, answer(name, args), id]);
    return new Response(JSON.stringify({ methodResponses: responses }), { status: 200 });
  });
  return { fetchMock, requests };
}

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse("2026-12-02T12:00:00Z");

describe("retention capability", () => {
  it("reads retentionDays from the session, 30 by default, and whether recovery exists", () => {
    expect(retentionDays(new JmapClient(session(10, { retentionDays: 7 })))).toBe(7);
    expect(retentionDays(new JmapClient(session(10, {})))).toBe(30);
    expect(canRecover(new JmapClient(session(10)))).toBe(true);
    expect(canRecover(new JmapClient(session(10, null)))).toBe(false);
  });

  it("counts days left before the purge rounded up, never below zero", () => {
    expect(daysLeft(new Date(NOW - 60_000).toISOString(), 30, NOW)).toBe(30);
    expect(daysLeft(new Date(NOW - DAY - 1).toISOString(), 30, NOW)).toBe(29);
    expect(daysLeft(new Date(NOW - 29.5 * DAY).toISOString(), 30, NOW)).toBe(1);
    expect(daysLeft(new Date(NOW - 40 * DAY).toISOString(), 30, NOW)).toBe(0);
    expect(daysLeft("not a date", 30, NOW)).toBe(0);
  });
});

describe("listDeleted", () => {
  it("asks the server for one page under urn:sealbox:retention, with days left", async () => {
    const server = fake(() => ({
      accountId: "A1",
      position: 20,
      total: 45,
      list: [
        { id: "new", deletedAt: new Date(NOW - DAY).toISOString(), subject: "New", from: null },
        { id: "old", deletedAt: new Date(NOW - 10 * DAY).toISOString(), subject: "Old", from: null },
      ],
    }));
    const shown = await listDeleted(new JmapClient(session(10), server.fetchMock), 2, 10, NOW);
    expect(shown.rows.map((i) => [i.id, i.daysLeft])).toEqual([
      ["new", 29],
      ["old", 20],
    ]);
    expect([shown.page, shown.pages, shown.total]).toEqual([2, 5, 45]);
    const [request] = server.requests;
    expect(request?.using).toContain("urn:sealbox:retention");
    expect(request?.methodCalls[0]?.[0]).toBe("Email/listDeleted");
    expect(request?.methodCalls[0]?.[1]).toEqual({ accountId: "A1", position: 20, limit: 10 });
  });

  it("shows the last page when the one asked for is past the end, and one empty page when none is kept", async () => {
    const server = fake((_name, args) => ({ accountId: "A1", position: args["position"], total: 12, list: [] }));
    const shown = await listDeleted(new JmapClient(session(10), server.fetchMock), 4, 5, NOW);
    expect(server.requests.map((r) => r.methodCalls[0]?.[1]["position"])).toEqual([20, 10]);
    expect([shown.page, shown.pages]).toEqual([2, 3]);
    const empty = fake(() => ({ accountId: "A1", position: 0, total: 0, list: [] }));
    const none = await listDeleted(new JmapClient(session(10), empty.fetchMock), 0, 5, NOW);
    expect([none.page, none.pages, none.rows]).toEqual([0, 1, []]);
    expect(empty.requests).toHaveLength(1);
  });
});

describe("restore", () => {
  it("sends at most maxObjectsInSet ids per call and sorts out restored, over quota and gone", async () => {
    const server = fake((_name, args) => {
      const ids = args["ids"] as string[];
      const restored: Record<string, unknown> = {};
      const notRestored: Record<string, unknown> = {};
      const notFound: string[] = [];
      for (const id of ids) {
        if (id === "big") notRestored[id] = { type: "overQuota", description: "quota exceeded" };
        else if (id === "purged") notFound.push(id);
        else if (id !== "silent") restored[id] = { id: `new-${id}`, threadId: "T", mailboxIds: { inbox: true } };
      }
      return { accountId: "A1", newState: "9", restored, notRestored: Object.keys(notRestored).length ? notRestored : null, notFound };
    });
    const client = new JmapClient(session(2), server.fetchMock);
    const outcome = await restore(client, ["a", "big", "b", "purged", "silent"]);
    expect(server.requests.map((r) => r.methodCalls[0]?.[1]["ids"])).toEqual([["a", "big"], ["b", "purged"], ["silent"]]);
    expect(server.requests.every((r) => r.using.includes("urn:sealbox:retention"))).toBe(true);
    expect([...outcome.restored]).toEqual([
      ["a", "new-a"],
      ["b", "new-b"],
    ]);
    expect(outcome.failed.get("big")).toMatch(/mailbox is full/);
    expect(outcome.failed.get("purged")).toMatch(/no longer kept/);
    expect(outcome.failed.get("silent")).toMatch(/no longer kept/);
  });

  it("shows the server's description for other errors", async () => {
    const server = fake(() => ({
      accountId: "A1",
      newState: "1",
      restored: {},
      notRestored: { x: { type: "forbidden", description: "not allowed here" } },
      notFound: [],
    }));
    const outcome = await restore(new JmapClient(session(10), server.fetchMock), ["x"]);
    expect(outcome.failed.get("x")).toBe("Not restored: not allowed here");
  });

  it("says when there is nowhere to put it rather than that it is gone", () => {
    const nowhere = restoreError({ type: "invalidProperties", properties: ["mailboxIds"], description: "no Inbox" });
    expect(nowhere).toMatch(/no Inbox to put it in/);
    expect(nowhere).not.toMatch(/no longer kept/);
  });
});
