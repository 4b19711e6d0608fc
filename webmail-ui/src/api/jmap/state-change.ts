/** The push events' payload (RFC 8620 7.1) and its defensive parse. */
import type { Id } from "./types";

/** The body of an EventSource "state" event (RFC 8620 7.1). */
export interface StateChange {
  "@type": "StateChange";
  changed: Record<Id, Record<string, string>>;
}

export function parseStateChange(data: string): StateChange | null {
  try {
    const value = JSON.parse(data) as Partial<StateChange>;
    return value["@type"] === "StateChange" && typeof value.changed === "object" && value.changed
      ? (value as StateChange)
      : null;
  } catch {
    return null;
  }
}
