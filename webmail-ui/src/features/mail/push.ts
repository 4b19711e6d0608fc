/** Push (RFC 8620 7.3): an EventSource of StateChange events for this account. */
import { parseStateChange, type JmapClient } from "../../api/jmap";

/** Calls `onChange` with the changed type -> state map; after a reconnect, with {} (refresh all). */
export function subscribe(client: JmapClient, onChange: (changed: Record<string, string>) => void): () => void {
  const source = new EventSource(client.eventSourceUrl("*"), { withCredentials: true });
  let dropped = false;
  source.addEventListener("state", (event) => {
    const change = parseStateChange((event as MessageEvent<string>).data);
    const mine = change?.changed[client.accountId()];
    if (mine) onChange(mine);
  });
  source.addEventListener("error", () => {
    dropped = true;
  });
  source.addEventListener("open", () => {
    // Changes made while disconnected were not pushed: catch up once.
    if (dropped) onChange({});
    dropped = false;
  });
  return () => source.close();
}
