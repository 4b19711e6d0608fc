import { describe, expect, it } from "vitest";
import { expandTemplate, JmapClient, sameOrigin } from "./client";
import { answering, SESSION } from "./test-session";

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
});

describe("keepalive", () => {
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
