import { describe, expect, it, vi } from "vitest";
import { JmapClient, type Session } from "../../api/jmap";
import {
  emailCreate,
  forwardDraft,
  forwardSubject,
  isBlank,
  parseAddresses,
  quote,
  replyAllDraft,
  replyDraft,
  replySubject,
  saveDraft,
  sendDraft,
  withSignature,
} from "./compose-model";

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

describe("reply all and forward", () => {
  const email = {
    id: "E1",
    subject: "Plans",
    from: [{ name: "Bob", email: "bob@x.org" }],
    to: [{ name: "Alice", email: "Alice@x.org" }, { name: null, email: "carol@x.org" }, { name: null, email: "BOB@x.org" }],
    cc: [{ name: null, email: "dan@x.org" }, { name: null, email: "carol@x.org" }, { name: null, email: "alias@x.org" }],
    messageId: ["m2@x"],
    sentAt: "2026-12-01T08:30:00Z",
    attachments: [
      { partId: "2", blobId: "B2", size: 10, name: "a.pdf", type: "application/pdf", disposition: "attachment", cid: null },
      { partId: "3", blobId: null, size: 0, name: null, type: "text/plain", disposition: null, cid: null },
    ],
  };

  it("answers the sender and every other recipient, never the user, once each", () => {
    const draft = replyAllDraft(email, "Hi", ["alice@x.org", "alias@x.org"]);
    expect(draft.to).toBe("Bob <bob@x.org>, carol@x.org");
    expect(draft.cc).toBe("dan@x.org");
    expect(draft).toMatchObject({ subject: "Re: Plans", inReplyTo: ["m2@x"], references: ["m2@x"], replyToEmailId: "E1" });
  });

  it("keeps the recipients when answering one's own message", () => {
    const mine = { id: "E2", subject: "x", from: [{ name: null, email: "alice@x.org" }], to: [{ name: null, email: "bob@x.org" }] };
    expect(replyAllDraft(mine, "", ["alice@x.org"]).to).toBe("bob@x.org");
  });

  it.each([
    ["Plans", "Fwd: Plans"],
    ["Fwd: Plans", "Fwd: Plans"],
    ["FW: Plans", "FW: Plans"],
    ["Re: Plans", "Fwd: Re: Plans"],
  ])("forward subject of %s", (subject, expected) => {
    expect(forwardSubject(subject)).toBe(expected);
  });

  it("forwards with the original's headers, text and files", () => {
    const draft = forwardDraft(email, "Hi\r\nthere");
    expect(draft.to).toBe("");
    expect(draft.subject).toBe("Fwd: Plans");
    expect(draft.body).toContain("---------- Forwarded message ----------\nFrom: Bob <bob@x.org>");
    expect(draft.body).toContain("Cc: dan@x.org");
    expect(draft.body.endsWith("\n\nHi\nthere")).toBe(true);
    expect(draft.attachments).toEqual([{ blobId: "B2", name: "a.pdf", type: "application/pdf", size: 10 }]);
    expect(draft.inReplyTo).toBeUndefined();
  });

  it("sends Cc and attachments by blobId", () => {
    const create = emailCreate(
      { to: "b@x.org", cc: "c@x.org", subject: "", body: "", attachments: [{ blobId: "B2", name: "a.pdf", type: "", size: 1 }] },
      { id: "I1", name: "", email: "a@x.org" },
      "D",
    );
    expect(create.cc).toEqual([{ name: null, email: "c@x.org" }]);
    expect(create.attachments).toEqual([{ blobId: "B2", type: "application/octet-stream", name: "a.pdf", disposition: "attachment" }]);
  });

  it("puts the signature above the quote", () => {
    expect(withSignature({ to: "", subject: "", body: "" }, "Alice\r\n").body).toBe("\n\n-- \nAlice\n");
    expect(withSignature({ to: "", subject: "", body: "\n\n> q" }, "A").body).toBe("\n\n-- \nA\n\n> q");
    expect(withSignature({ to: "", subject: "", body: "x" }, "  ").body).toBe("x");
  });
});

describe("drafts", () => {
  const session = { primaryAccounts: { "urn:ietf:params:jmap:mail": "A1" }, apiUrl: "/api" } as unknown as Session;
  const identity = { id: "I1", name: "", email: "a@x.org" };

  it("saves a new version and destroys the previous one, skipping unfinished addresses", async () => {
    const fetchMock = vi.fn(async (_url: string, _init: RequestInit) =>
      new Response(JSON.stringify({ methodResponses: [["Email/set", { created: { draft: { id: "E3" } }, destroyed: ["E2"] }, "c0"]] })),
    );
    const id = await saveDraft(new JmapClient(session, fetchMock), { to: "b@x.org, bo", subject: "s", body: "", draftId: "E2" }, identity, "D");
    expect(id).toBe("E3");
    const [, args] = JSON.parse(fetchMock.mock.calls[0]![1].body as string).methodCalls[0];
    expect(args.destroy).toEqual(["E2"]);
    expect(args.create.draft.to).toEqual([{ name: null, email: "b@x.org" }]);
    expect(args.create.draft.keywords).toEqual({ $draft: true, $seen: true });
    expect(args.create.draft.mailboxIds).toEqual({ D: true });
  });

  it("says why a draft was refused", async () => {
    const client = new JmapClient(session, async () =>
      new Response(JSON.stringify({ methodResponses: [["Email/set", { notCreated: { draft: { type: "overQuota" } } }, "c0"]] })),
    );
    await expect(saveDraft(client, { to: "", subject: "s", body: "" }, identity, "D")).rejects.toThrow("overQuota");
  });

  it("sending submits the saved draft itself and files it in Sent", async () => {
    const fetchMock = vi.fn(async (_url: string, _init: RequestInit) =>
      new Response(JSON.stringify({ methodResponses: [["EmailSubmission/set", { created: { send: { id: "S1" } } }, "c0"]] })),
    );
    const id = await sendDraft(new JmapClient(session, fetchMock), { to: "", cc: "c@x.org", subject: "", body: "", draftId: "E3" }, identity, { drafts: "D", sent: "S" });
    expect(id).toBe("E3");
    const calls = JSON.parse(fetchMock.mock.calls[0]![1].body as string).methodCalls;
    expect(calls).toHaveLength(1);
    expect(calls[0][1].create).toEqual({ send: { emailId: "E3", identityId: "I1" } });
    expect(calls[0][1].onSuccessUpdateEmail["#send"]).toEqual({ "mailboxIds/D": null, "mailboxIds/S": true, "keywords/$draft": null });
  });

  it.each([
    [{ to: " ", subject: "", body: "\n" }, true],
    [{ to: "", subject: "", body: "", attachments: [{ blobId: "B", name: "n", type: "", size: 0 }] }, false],
    [{ to: "", cc: "c@x", subject: "", body: "" }, false],
  ])("isBlank %#", (draft, blank) => {
    expect(isBlank(draft)).toBe(blank);
  });
});
