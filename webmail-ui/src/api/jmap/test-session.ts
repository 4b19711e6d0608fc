/** A Session and a fetch that answers canned method responses, for the client's tests. */
import { vi } from "vitest";
import type { Session } from "./types";

export const SESSION: Session = {
  capabilities: {},
  primaryAccounts: { "urn:ietf:params:jmap:mail": "A1", "urn:ietf:params:jmap:submission": "A1" },
  username: "alice@example.org",
  apiUrl: "https://mail.example.org/jmap/api/",
  downloadUrl: "https://mail.example.org/jmap/download/{accountId}/{blobId}/{name}?type={type}",
  uploadUrl: "https://mail.example.org/jmap/upload/{accountId}/",
  eventSourceUrl: "https://mail.example.org/jmap/eventsource/?types={types}&closeafter={closeafter}&ping={ping}",
  state: "s1",
};

export function answering(methodResponses: unknown[]) {
  return vi.fn(async (_url: string, _init: RequestInit) =>
    new Response(JSON.stringify({ methodResponses, sessionState: "s1" }), { status: 200 }),
  );
}
