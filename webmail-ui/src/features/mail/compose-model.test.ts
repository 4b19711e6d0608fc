import { describe, expect, it, vi } from "vitest";
import { JmapClient, type Session } from "../../api/jmap";
import { emailCreate, parseAddresses, quote, replyDraft, replySubject, sendDraft } from "./compose-model";

describe("parseAddresses", () => {
  it.each([
    ["bob@example.org", [{ name: null, email: "bob@example.org" }]],
    ["Bob <bob@example.org>", [{ name: "Bob", email: "bob@example.org" }]],
    ['"Doe, Jane" <jane@x.org>, ann@y.org', [{ name: "Doe, Jane", email: "jane@x.org" }, { name: null, email: "ann@y.org" }]],
    [" a@b.c ; ", [{ name: null, email: "a@b.c" }]],
    ["", []],
  ])("%s", (text, expected) => {
    expect(parseAddresses(text)).toEqual(expected);
  });

  it("refuses a part without an address", () => {
    expect(() => parseAddresses("bob")).toThrow('"bob" is not an email address');
  });
});

describe("replies", () => {
  it("prefixes Re: once", () => {
    expect(replySubject("Lunch")).toBe("Re: Lunch");
    expect(replySubject("RE: Lunch")).toBe("RE: Lunch");
  });

  it("quotes each line under an attribution", () => {
    const text = quote("one\r\n> two\n\n", { name: "Bob", email: "b@x.org" }, "2026-12-01T08:30:00Z");
    expect(text).toBe("\n\nOn Tue, 01 Dec 2026 08:30:00 GMT, Bob <b@x.org> wrote:\n> one\n>> two\n");
  });

  it("answers Reply-To when set, threads by Message-ID", () => {
    const draft = replyDraft(
      {
        id: "E1",
        subject: "Lunch",
        from: [{ name: "Bob", email: "bob@x.org" }],
        replyTo: [{ name: null, email: "list@x.org" }],
        messageId: ["m2@x"],
        references: ["m1@x"],
      },
      "Noon?",
    );
    expect(draft).toMatchObject({
      to: "list@x.org",
      subject: "Re: Lunch",
      inReplyTo: ["m2@x"],
      references: ["m1@x", "m2@x"],
      replyToEmailId: "E1",
    });
    expect(draft.body).toContain("> Noon?");
  });

  it("builds the Email/set create for the Drafts mailbox", () => {
    const create = emailCreate({ to: "Bob <b@x.org>", subject: "Hi", body: "Text", inReplyTo: ["m@x"] }, { id: "I1", name: "Alice", email: "a@x.org" }, "D");
    expect(create).toEqual({
      mailboxIds: { D: true },
      keywords: { $draft: true, $seen: true },
      from: [{ name: "Alice", email: "a@x.org" }],
      to: [{ name: "Bob", email: "b@x.org" }],
      subject: "Hi",
      inReplyTo: ["m@x"],
      textBody: [{ partId: "body", type: "text/plain" }],
      bodyValues: { body: { value: "Text" } },
    });
  });
});

describe("sendDraft", () => {
  const session = { primaryAccounts: { "urn:ietf:params:jmap:mail": "A1", "urn:ietf:params:jmap:submission": "A1" }, apiUrl: "/api" } as unknown as Session;
  const identity = { id: "I1", name: "", email: "a@x.org" };

  it("creates, submits and files Drafts -> Sent in one request, marking the original answered", async () => {
    const fetchMock = vi.fn(async (_url: string, _init: RequestInit) =>
      new Response(JSON.stringify({ methodResponses: [
        ["Email/set", { created: { draft: { id: "E9" } }, notCreated: null }, "c0"],
        ["EmailSubmission/set", { created: { send: { id: "S1" } }, notCreated: null }, "c1"],
        ["Email/set", { updated: { E9: null } }, "c1"],
        ["Email/set", { updated: { E1: null } }, "c2"],
      ] })),
    );
    const id = await sendDraft(new JmapClient(session, fetchMock), { to: "b@x.org", subject: "Re: x", body: "ok", replyToEmailId: "E1" }, identity, { drafts: "D", sent: "S" });
    expect(id).toBe("E9");
    const calls = JSON.parse(fetchMock.mock.calls[0]![1].body as string).methodCalls;
    expect(calls[1]).toEqual([
      "EmailSubmission/set",
      {
        accountId: "A1",
        create: { send: { emailId: "#draft", identityId: "I1" } },
        onSuccessUpdateEmail: { "#send": { "mailboxIds/D": null, "mailboxIds/S": true, "keywords/$draft": null } },
      },
      "c1",
    ]);
    expect(calls[2][1].update).toEqual({ E1: { "keywords/$answered": true } });
  });

  it("says why the server refused to send", async () => {
    const client = new JmapClient(session, async () =>
      new Response(JSON.stringify({ methodResponses: [
        ["Email/set", { created: { draft: { id: "E9" } } }, "c0"],
        ["EmailSubmission/set", { notCreated: { send: { type: "forbiddenFrom", description: "not your address" } } }, "c1"],
      ] })),
    );
    await expect(sendDraft(client, { to: "b@x.org", subject: "", body: "" }, identity, { drafts: "D", sent: "S" })).rejects.toThrow("not your address");
  });

  it("needs a recipient", async () => {
    const client = new JmapClient(session, vi.fn());
    await expect(sendDraft(client, { to: " ", subject: "", body: "" }, identity, { drafts: "D", sent: "S" })).rejects.toThrow("Add at least one recipient.");
  });
});
