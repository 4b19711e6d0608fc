import { beforeEach, describe, expect, it } from "vitest";
import { JmapClient, type Session } from "../../api/jmap";
import { MessageList } from "./message-list";

interface Stored {
  id: string;
  mailboxIds: Record<string, boolean>;
  keywords: Record<string, boolean>;
  receivedAt: string;
  subject: string;
  threadId?: string;
}

/** An in-memory JMAP server for Email/query, Email/get and Email/changes with a change log. */
class FakeServer {
  emails: Stored[] = [];
  state = 0;
  log: { state: number; created: string[]; updated: string[]; destroyed: string[] }[] = [];
  forgetBefore = 0;
  requests = 0;
  counted = 0;

  add(id: string, receivedAt: string, mailbox = "inbox"): void {
    this.emails.push({ id, mailboxIds: { [mailbox]: true }, keywords: {}, receivedAt, subject: `subject ${id}` });
    this.bump({ created: [id] });
  }

  edit(id: string, change: Partial<Stored>): void {
    Object.assign(this.emails.find((e) => e.id === id)!, change);
    this.bump({ updated: [id] });
  }

  destroy(id: string): void {
    this.emails = this.emails.filter((e) => e.id !== id);
    this.bump({ destroyed: [id] });
  }

  bump(change: Partial<{ created: string[]; updated: string[]; destroyed: string[] }>): void {
    this.state += 1;
    this.log.push({ state: this.state, created: [], updated: [], destroyed: [], ...change });
  }

  fetch = async (_url: string, init: RequestInit): Promise<Response> => {
    this.requests += 1;
    const { methodCalls } = JSON.parse(init.body as string) as { methodCalls: [string, any, string][] };
    const results = new Map<string, any>();
    const responses = methodCalls.map(([name, args, id]) => {
      let broken = false;
      for (const key of Object.keys(args)) {
        if (key.startsWith("#")) {
          const ref = args[key];
          const source = results.get(ref.resultOf);
          if (!source || source.type) broken = true;
          else if (ref.path.includes("/*/")) {
            const [list, prop] = ref.path.slice(1).split("/*/");
            args[key.slice(1)] = source[list].map((item: any) => item[prop]);
          } else args[key.slice(1)] = source[ref.path.slice(1)];
        }
      }
      const out: [string, any] = broken ? ["error", { type: "invalidResultReference" }] : this.method(name, args);
      results.set(id, out[1]);
      return [out[0], out[1], id];
    });
    return new Response(JSON.stringify({ methodResponses: responses }));
  };

  method(name: string, args: any): [string, any] {
    if (name === "Email/query") {
      if (args.calculateTotal) this.counted += 1;
      const ids = this.emails
        .filter((e) => e.mailboxIds[args.filter.inMailbox])
        .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
        .filter((e, i, all) => !args.collapseThreads || all.findIndex((o) => (o.threadId ?? o.id) === (e.threadId ?? e.id)) === i)
        .map((e) => e.id);
      const total = args.calculateTotal ? { total: ids.length } : {};
      return [name, { ids: ids.slice(args.position, args.position + args.limit), ...total, position: args.position }];
    }
    if (name === "Email/get") {
      const list = (args.ids as string[]).map((id) => this.emails.find((e) => e.id === id)).filter(Boolean);
      return [name, { state: String(this.state), list: structuredClone(list), notFound: [] }];
    }
    if (name === "Email/changes") {
      const since = Number(args.sinceState);
      if (since < this.forgetBefore) return ["error", { type: "cannotCalculateChanges" }];
      const created = new Set<string>();
      const updated = new Set<string>();
      const destroyed = new Set<string>();
      for (const entry of this.log.filter((l) => l.state > since)) {
        entry.created.forEach((id) => created.add(id));
        entry.updated.forEach((id) => !created.has(id) && updated.add(id));
        entry.destroyed.forEach((id) => {
          if (!created.delete(id)) destroyed.add(id);
          updated.delete(id);
        });
      }
      return [name, { oldState: args.sinceState, newState: String(this.state), hasMoreChanges: false, created: [...created], updated: [...updated], destroyed: [...destroyed] }];
    }
    if (name === "Thread/get") {
      const list = (args.ids as string[]).map((id) => ({
        id,
        emailIds: this.emails.filter((e) => (e.threadId ?? e.id) === id).map((e) => e.id),
      }));
      return [name, { state: "t", list, notFound: [] }];
    }
    return ["error", { type: "unknownMethod" }];
  }
}

const SESSION = {
  primaryAccounts: { "urn:ietf:params:jmap:mail": "A1" },
  apiUrl: "/jmap/api/",
} as unknown as Session;

const day = (n: number) => `2026-01-${String(n).padStart(2, "0")}T00:00:00Z`;

let server: FakeServer;
let list: MessageList;

beforeEach(() => {
  server = new FakeServer();
  for (let n = 1; n <= 7; n++) server.add(`e${n}`, day(n));
  server.add("other", day(20), "archive");
  list = new MessageList(new JmapClient(SESSION, server.fetch), "inbox", 3);
});

const ids = () => list.items.map((e) => e.id);

describe("MessageList paging", () => {
  it("loads newest first, a page per request, by position", async () => {
    expect(await list.loadMore()).toEqual(["e7", "e6", "e5"]);
    expect(list.total).toBe(7);
    expect(list.hasMore).toBe(true);
    await list.loadMore();
    await list.loadMore();
    expect(ids()).toEqual(["e7", "e6", "e5", "e4", "e3", "e2", "e1"]);
    expect(list.hasMore).toBe(false);
    expect(server.requests).toBe(3);
    expect(server.counted).toBe(1); // the total is counted once, with the first page
  });

  it("reaches a row far below in bigger pages, at most maxPage a request", async () => {
    list = new MessageList(new JmapClient(SESSION, server.fetch), "inbox", 1);
    expect(await list.loadMore()).toEqual(["e7"]);
    expect(await list.loadMore(7, 2)).toEqual(["e6", "e5"]); // capped at maxPage
    expect(await list.loadMore(7, 10)).toEqual(["e4", "e3", "e2", "e1"]); // what it needs
    expect(server.requests).toBe(3);
  });

  it("fetches a far window by position without the rows above it, dropped at the next change", async () => {
    list = new MessageList(new JmapClient(SESSION, server.fetch), "inbox", 1);
    await list.loadMore();
    await list.loadAt(5, 1, 3); // a page each side of row 5, at most 3 rows
    expect(list.far?.position).toBe(4);
    expect(list.far?.items.map((e) => e.id)).toEqual(["e3", "e2", "e1"]);
    expect(ids()).toEqual(["e7"]); // the rows above were not loaded
    expect(list.get("e2")?.subject).toBe("subject e2");
    expect([list.neighbour("e2", 1)?.id, list.neighbour("e2", -1)?.id, list.neighbour("e7", 1)]).toEqual([
      "e1",
      "e3",
      undefined,
    ]);
    list.patch("e2", { subject: "seen far down" });
    expect(list.far?.items[1]?.subject).toBe("seen far down");
    expect(list.remove("e2")).toBe(true); // the rows below it move up: fetched again
    expect([list.far, list.total]).toEqual([null, 6]);
    await list.loadAt(5, 1, 3);
    expect(list.far).not.toBeNull();
    await list.refresh();
    expect(list.far).toBeNull();
  });

  it("keeps a far row's neighbours for j/k between a change and the far window's refetch", async () => {
    list = new MessageList(new JmapClient(SESSION, server.fetch), "inbox", 1);
    await list.loadMore();
    await list.loadAt(5, 1, 3);
    await list.refresh(); // e.g. the open message was just marked read: the window goes
    expect(list.far).toBeNull();
    expect(list.get("e2")?.id).toBe("e2");
    expect([list.neighbour("e2", 1)?.id, list.neighbour("e2", -1)?.id]).toEqual(["e1", "e3"]);
    list.remove("e1");
    expect(list.neighbour("e2", 1)).toBeUndefined();
    await list.loadAt(5, 1, 3); // fetched again: the new window answers
    expect(list.far?.items.map((e) => e.id)).not.toContain("e7");
  });

  it("keeps one items array until the list changes", async () => {
    await list.loadMore();
    const first = list.items;
    expect(list.items).toBe(first);
    await list.loadMore();
    const second = list.items;
    expect(second).not.toBe(first);
    expect(second.slice(0, 3)).toEqual(first); // a page appended: the same rows first
    list.patch("e7", { subject: "edited" });
    expect(list.items).not.toBe(second);
    expect(list.items[0]?.subject).toBe("edited");
  });

  it("skips repeats when new mail shifted positions between pages", async () => {
    await list.loadMore();
    server.add("new", day(30));
    await list.loadMore();
    expect(ids()).toEqual(["e7", "e6", "e5", "e4", "e3"]); // e5 came again at position 3
  });
});

describe("MessageList.refresh (Email/changes)", () => {
  it("inserts new mail in order, drops destroyed and moved-out mail, updates keywords", async () => {
    await list.loadMore();
    server.add("e8", day(8));
    server.destroy("e6");
    server.edit("e5", { keywords: { $seen: true } });
    server.edit("e7", { mailboxIds: { archive: true } });
    server.add("elsewhere", day(9), "archive");

    const change = await list.refresh();
    expect(change).toEqual({ inserted: ["e8"], removed: ["e6", "e7"], updated: ["e5"], reloaded: false });
    expect(ids()).toEqual(["e8", "e5"]);
    expect(list.get("e5")?.keywords).toEqual({ $seen: true });
    expect(list.total).toBe(6);
    expect(list.state).toBe(String(server.state));
    expect(server.requests).toBe(2); // changes and both gets in one request
  });

  it("leaves older mail beyond the loaded window for a later page", async () => {
    await list.loadMore(); // e7 e6 e5 of 7
    server.add("old", day(0));
    const change = await list.refresh();
    expect(change.inserted).toEqual([]);
    expect(list.total).toBe(8);
    await list.loadMore();
    await list.loadMore();
    await list.loadMore();
    expect(ids().at(-1)).toBe("old");
  });

  it("shows mail moved into the mailbox", async () => {
    await list.loadMore();
    server.edit("other", { mailboxIds: { inbox: true } });
    expect((await list.refresh()).inserted).toEqual(["other"]);
    expect(ids()[0]).toBe("other");
  });

  it("reloads the first page when the server cannot calculate changes", async () => {
    await list.loadMore();
    await list.loadMore();
    server.add("e9", day(9));
    server.forgetBefore = server.state;
    const change = await list.refresh();
    expect(change.reloaded).toBe(true);
    expect(ids()).toEqual(["e9", "e7", "e6"]);
  });

  it("runs a refresh after a page already in flight, never interleaved", async () => {
    const page = list.loadMore();
    server.add("e8", day(8));
    const refreshed = list.refresh();
    await Promise.all([page, refreshed]);
    expect(ids()[0]).toBe("e8");
    expect(new Set(ids()).size).toBe(ids().length);
  });

  it("applies local edits and removals", async () => {
    await list.loadMore();
    list.patch("e7", { keywords: { $flagged: true } });
    expect(list.get("e7")?.keywords).toEqual({ $flagged: true });
    expect(list.remove("e6")).toBe(true);
    expect(list.remove("nope")).toBe(false);
    expect(ids()).toEqual(["e7", "e5"]);
    expect(list.total).toBe(6);
  });
});

describe("MessageList threads", () => {
  it("collapses threads and counts each thread's messages", async () => {
    for (const id of ["e3", "e5", "e6"]) server.edit(id, { threadId: "t1" });
    for (const email of server.emails) email.threadId ??= email.id;
    const threads = new MessageList(new JmapClient(SESSION, server.fetch), "inbox", 10, null, true);
    await threads.loadMore();
    expect(threads.items.map((e) => [e.id, e.threadSize])).toEqual([
      ["e7", 1],
      ["e6", 3],
      ["e4", 1],
      ["e2", 1],
      ["e1", 1],
    ]);
  });
});
