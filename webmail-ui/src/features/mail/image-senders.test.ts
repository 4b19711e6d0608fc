import { describe, expect, it, vi } from "vitest";
import { JmapClient, type Session } from "../../api/jmap";
import { ImageSenders, senderKey, withSender } from "./image-senders";

function session(capabilities: Record<string, unknown>): Session {
  return {
    capabilities,
    primaryAccounts: { "urn:ietf:params:jmap:mail": "A1", "urn:sealbox:webmail": "A1" },
    username: "alice@example.org",
    apiUrl: "/jmap/api/",
    downloadUrl: "/d/{blobId}",
    uploadUrl: "/u/",
    eventSourceUrl: "/e",
    state: "s",
  };
}

/** A server holding the list, answering WebmailSettings/get and /set as Sealbox does. */
function server(initial: string[]) {
  let stored = [...initial];
  const fetchMock = vi.fn(async (_url: string, init: RequestInit) => {
    const { methodCalls } = JSON.parse(init.body as string) as { methodCalls: [string, Record<string, any>, string][] };
    const responses = methodCalls.map(([name, args, id]) => {
      if (name === "WebmailSettings/get") return [name, { list: [{ id: "singleton", imageSenders: stored }], notFound: [], state: "x" }, id];
      stored = args["update"].singleton.imageSenders;
      return [name, { updated: { singleton: null } }, id];
    });
    return new Response(JSON.stringify({ methodResponses: responses }), { status: 200 });
  });
  return { fetchMock, stored: () => stored };
}

describe("image senders", () => {
  it("keys a message by its first From address, lower-cased", () => {
    expect(senderKey({ from: [{ name: "N", email: " News@Shop.Example " }] })).toBe("news@shop.example");
    expect(senderKey({ from: null })).toBe("");
  });

  it("adds once and removes, keeping the order", () => {
    expect(withSender(["a@x"], "B@X", true)).toEqual(["a@x", "b@x"]);
    expect(withSender(["a@x", "b@x"], "a@x", true)).toEqual(["b@x", "a@x"]);
    expect(withSender(["a@x", "b@x"], "A@x", false)).toEqual(["b@x"]);
    expect(withSender(["a@x"], "", true)).toEqual(["a@x"]);
  });

  it("trusts a sender after set, reading the latest list first so another tab's change survives", async () => {
    const fake = server(["old@x.example"]);
    const senders = new ImageSenders(new JmapClient(session({ "urn:sealbox:webmail": {} }), fake.fetchMock));
    await senders.load();
    expect(senders.trusts({ from: [{ name: null, email: "New@X.example" }] })).toBe(false);
    await senders.set("New@X.example", true);
    expect(fake.stored()).toEqual(["old@x.example", "new@x.example"]);
    expect(senders.trusts({ from: [{ name: null, email: "new@x.example" }] })).toBe(true);
    await senders.set("old@x.example", false);
    expect(fake.stored()).toEqual(["new@x.example"]);
    const [, init] = fake.fetchMock.mock.calls.at(-1)!;
    expect(JSON.parse(init.body as string).using).toContain("urn:sealbox:webmail");
  });

  it("asks nothing of a server without the capability", async () => {
    const fake = server([]);
    const senders = new ImageSenders(new JmapClient(session({}), fake.fetchMock));
    await senders.load();
    expect(senders.supported).toBe(false);
    expect(fake.fetchMock).not.toHaveBeenCalled();
    await expect(senders.set("a@x", true)).rejects.toThrow(/cannot remember/);
  });
});
