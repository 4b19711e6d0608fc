import { describe, expect, it, vi } from "vitest";
import { JmapClient, type Session } from "../../api/jmap";
import { emptyMailbox, pageSize } from "./empty-trash";

function session(maxObjectsInSet: number): Session {
  return {
    capabilities: { "urn:ietf:params:jmap:core": { maxObjectsInGet: 500, maxObjectsInSet } },
    primaryAccounts: { "urn:ietf:params:jmap:mail": "A1" },
    username: "a@x",
    apiUrl: "/jmap/api/",
    downloadUrl: "/d",
    uploadUrl: "/u",
    eventSourceUrl: "/e",
    state: "s",
  };
}

type Calls = [string, Record<string, any>, string][];

/** Emails by id -> mailboxIds; answers query, get by reference and set like a server. */
function server(emails: Map<string, Record<string, boolean>>) {
  const sets: Record<string, any>[] = [];
  const fetchMock = vi.fn(async (_url: string, init: RequestInit) => {
    const { methodCalls } = JSON.parse(init.body as string) as { methodCalls: Calls };
    let ids: string[] = [];
    const responses = methodCalls.map(([name, args, id]) => {
      if (name === "Email/query") {
        ids = [...emails].filter(([, boxes]) => boxes[args["filter"].inMailbox]).map(([e]) => e).slice(0, args["limit"]);
        return [name, { ids }, id];
      }
      if (name === "Email/get") return [name, { list: ids.map((e) => ({ id: e, mailboxIds: emails.get(e) })) }, id];
      sets.push(args);
      for (const e of args["destroy"]) emails.delete(e);
      for (const e of Object.keys(args["update"])) delete emails.get(e)!["trash"];
      return [name, { destroyed: args["destroy"], updated: Object.fromEntries(Object.keys(args["update"]).map((e) => [e, null])) }, id];
    });
    return new Response(JSON.stringify({ methodResponses: responses }), { status: 200 });
  });
  return { fetchMock, sets };
}

describe("emptyMailbox", () => {
  it("pages by the server's limits, destroys mail only in Trash and unfiles the rest", async () => {
    const emails = new Map<string, Record<string, boolean>>();
    for (let i = 0; i < 25; i++) emails.set(`e${i}`, { trash: true });
    emails.set("both", { trash: true, archive: true });
    emails.set("inbox1", { inbox: true });
    const fake = server(emails);
    const client = new JmapClient(session(10), fake.fetchMock);
    expect(pageSize(client)).toBe(10);
    const seen: number[] = [];
    const result = await emptyMailbox(client, "trash", (n) => seen.push(n));
    expect(result).toEqual({ destroyed: 25, unfiled: 1 });
    expect(fake.sets.every((s) => s["destroy"].length + Object.keys(s["update"]).length <= 10)).toBe(true);
    expect(seen).toEqual([10, 20, 26]);
    expect([...emails.keys()]).toEqual(["both", "inbox1"]);
    expect(emails.get("both")).toEqual({ archive: true });
  });

  it("stops with an error when the server deletes nothing", async () => {
    const fetchMock = vi.fn(async (_url: string, init: RequestInit) => {
      const { methodCalls } = JSON.parse(init.body as string) as { methodCalls: Calls };
      const responses = methodCalls.map(([name, , id]) =>
        name === "Email/query"
          ? [name, { ids: ["x"] }, id]
          : name === "Email/get"
            ? [name, { list: [{ id: "x", mailboxIds: { trash: true } }] }, id]
            : [name, { destroyed: null, notDestroyed: { x: { type: "forbidden" } } }, id],
      );
      return new Response(JSON.stringify({ methodResponses: responses }), { status: 200 });
    });
    await expect(emptyMailbox(new JmapClient(session(10), fetchMock), "trash")).rejects.toThrow(/refused/);
  });
});
