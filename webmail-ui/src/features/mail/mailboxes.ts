/** The mailbox tree (RFC 8621 2): nesting by parentId, role folders first, in a fixed order. */
import type { Id, Mailbox } from "../../api/jmap";

export interface MailboxNode {
  mailbox: Mailbox;
  depth: number;
  children: MailboxNode[];
}

const ROLE_ORDER = ["inbox", "drafts", "sent", "archive", "junk", "trash"];

export const MAILBOX_PROPERTIES = [
  "name",
  "parentId",
  "role",
  "sortOrder",
  "totalEmails",
  "unreadEmails",
  "totalThreads",
  "unreadThreads",
];

function rank(mailbox: Mailbox): number {
  const index = mailbox.role ? ROLE_ORDER.indexOf(mailbox.role) : -1;
  return index === -1 ? ROLE_ORDER.length : index;
}

function compare(a: Mailbox, b: Mailbox): number {
  return rank(a) - rank(b) || a.sortOrder - b.sortOrder || a.name.localeCompare(b.name);
}

/** Roots and children sorted; a mailbox whose parent is missing becomes a root. */
export function mailboxTree(mailboxes: readonly Mailbox[]): MailboxNode[] {
  const known = new Set(mailboxes.map((m) => m.id));
  const children = new Map<Id | null, Mailbox[]>();
  for (const mailbox of mailboxes) {
    const parent = mailbox.parentId !== null && known.has(mailbox.parentId) ? mailbox.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), mailbox]);
  }
  const build = (parent: Id | null, depth: number): MailboxNode[] =>
    (children.get(parent) ?? [])
      .sort(compare)
      .map((mailbox) => ({ mailbox, depth, children: build(mailbox.id, depth + 1) }));
  return build(null, 0);
}

/** Depth-first order, for rendering the tree as one flat list. */
export function flatten(nodes: readonly MailboxNode[]): MailboxNode[] {
  return nodes.flatMap((node) => [node, ...flatten(node.children)]);
}

export function byRole(mailboxes: readonly Mailbox[], role: string): Mailbox | undefined {
  return mailboxes.find((m) => m.role === role);
}

/** "Inbox" rather than the stored name for role folders, so the UI reads the same everywhere. */
export function displayName(mailbox: Mailbox): string {
  const names: Record<string, string> = {
    inbox: "Inbox",
    drafts: "Drafts",
    sent: "Sent",
    archive: "Archive",
    junk: "Junk",
    trash: "Trash",
  };
  return (mailbox.role && names[mailbox.role]) || mailbox.name;
}
