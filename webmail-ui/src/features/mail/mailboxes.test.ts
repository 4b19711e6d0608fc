import { describe, expect, it } from "vitest";
import type { Mailbox } from "../../api/jmap";
import { displayName, flatten, mailboxTree } from "./mailboxes";

const box = (id: string, name: string, role: string | null = null, parentId: string | null = null, sortOrder = 0): Mailbox => ({
  id, name, role, parentId, sortOrder, totalEmails: 0, unreadEmails: 0, totalThreads: 0, unreadThreads: 0,
});

describe("mailboxTree", () => {
  it("puts role folders first in a fixed order, then others by sortOrder and name, nested", () => {
    const tree = mailboxTree([
      box("t", "Deleted", "trash"),
      box("z", "Zebra"),
      box("p", "Projects", null, null, -1),
      box("p2", "Beta", null, "p"),
      box("p1", "Alpha", null, "p"),
      box("i", "INBOX", "inbox"),
      box("s", "Sent Items", "sent"),
      box("orphan", "Lost", null, "gone"),
    ]);
    expect(flatten(tree).map((n) => `${"  ".repeat(n.depth)}${n.mailbox.id}`)).toEqual([
      "i", "s", "t", "p", "  p1", "  p2", "orphan", "z",
    ]);
  });

  it("names role folders the same everywhere", () => {
    expect(displayName(box("i", "INBOX", "inbox"))).toBe("Inbox");
    expect(displayName(box("x", "Receipts"))).toBe("Receipts");
  });
});
