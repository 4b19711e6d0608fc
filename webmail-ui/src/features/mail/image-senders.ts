/**
 * Senders whose remote images load without asking, kept server-side in
 * WebmailSettings (urn:sealbox:webmail), sealed with the account's other
 * settings, so the choice follows the user to every browser. Data code only.
 */
import { CAPABILITIES, type Email, type JmapClient } from "../../api/jmap";

/** The address a sender is trusted by: the first From, lower-cased; "" when none. */
export function senderKey(email: Pick<Email, "from">): string {
  return (email.from?.[0]?.email ?? "").trim().toLowerCase();
}

/** `list` with `address` added once (or removed), keeping the order. */
export function withSender(list: readonly string[], address: string, on: boolean): string[] {
  const key = address.trim().toLowerCase();
  const rest = list.filter((a) => a !== key);
  return on && key ? [...rest, key] : rest;
}

export class ImageSenders {
  #list: string[] = [];

  constructor(private readonly client: JmapClient) {}

  /** Whether this server keeps the list at all (older servers do not). */
  get supported(): boolean {
    return CAPABILITIES.webmail in this.client.session.capabilities;
  }

  get list(): readonly string[] {
    return this.#list;
  }

  trusts(email: Pick<Email, "from">): boolean {
    const key = senderKey(email);
    return key !== "" && this.#list.includes(key);
  }

  async load(): Promise<void> {
    if (!this.supported) return;
    const got = await this.client.call("WebmailSettings/get", { ids: ["singleton"] });
    this.#list = got.list[0]?.imageSenders ?? [];
  }

  /** Trusts (or stops trusting) one sender; the server's answer is the new list. */
  async set(address: string, on: boolean): Promise<void> {
    if (!this.supported) throw new Error("This server cannot remember image senders.");
    await this.load(); // another tab may have changed it since
    const next = withSender(this.#list, address, on);
    const result = await this.client.call("WebmailSettings/set", {
      update: { singleton: { imageSenders: next } },
    });
    const refused = result.notUpdated?.["singleton"];
    if (refused) throw new Error(refused.description ?? `The setting was not saved (${refused.type}).`);
    this.#list = next;
  }
}
