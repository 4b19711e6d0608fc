/**
 * Emptying a mailbox (Trash) by JMAP (RFC 8621 4.4, 4.6): page by page, each page's
 * Email/query and Email/get by reference in one request, then one Email/set that
 * destroys the mail that is only in that mailbox and takes the mailbox off mail that is
 * also filed elsewhere (an email in Trash and Archive stays in Archive). Pages are as
 * big as the server's maxObjectsInGet/maxObjectsInSet allow. The server keeps destroyed
 * mail 30 days (urn:sealbox:retention, Email/restore).
 */
import { CAPABILITIES, type Id, type JmapClient, type PatchObject } from "../../api/jmap";

/** Most ids per page: the smaller of the server's get and set limits, at most `cap`. */
export function pageSize(client: JmapClient, cap = 1000): number {
  const core = client.session.capabilities[CAPABILITIES.core] as Record<string, unknown> | undefined;
  const limits = [core?.["maxObjectsInGet"], core?.["maxObjectsInSet"], cap];
  return Math.max(1, Math.min(...limits.filter((n): n is number => typeof n === "number" && n > 0)));
}

export interface EmptyResult {
  destroyed: number;
  /** Kept because they are filed in another mailbox too; only this mailbox was taken off. */
  unfiled: number;
}

/** Empties `mailboxId`; `progress` hears the running count after each page. */
export async function emptyMailbox(
  client: JmapClient,
  mailboxId: Id,
  progress: (done: number) => void = () => {},
): Promise<EmptyResult> {
  const size = pageSize(client);
  const result: EmptyResult = { destroyed: 0, unfiled: 0 };
  for (;;) {
    const batch = client.batch();
    const query = batch.call("Email/query", { filter: { inMailbox: mailboxId }, limit: size });
    const got = batch.call("Email/get", { "#ids": query.ref("/ids"), properties: ["mailboxIds"] });
    await batch.send();
    const emails = got.response.list;
    if (!emails.length) return result;
    const destroy: Id[] = [];
    const update: Record<Id, PatchObject> = {};
    for (const email of emails) {
      const others = Object.keys(email.mailboxIds ?? {}).filter((id) => id !== mailboxId);
      if (others.length) update[email.id] = { [`mailboxIds/${mailboxId}`]: null };
      else destroy.push(email.id);
    }
    const set = await client.call("Email/set", { destroy, update });
    const done = (set.destroyed?.length ?? 0) + Object.keys(set.updated ?? {}).length;
    if (done === 0) throw new Error("The server refused to delete these messages.");
    result.destroyed += set.destroyed?.length ?? 0;
    result.unfiled += Object.keys(set.updated ?? {}).length;
    progress(result.destroyed + result.unfiled);
  }
}
