/**
 * The signed-in mail client's shared state and the operations its controllers offer
 * one another: each controller module (list, reader, actions, bulk, compose, settings)
 * implements a slice of `MailContext`, and `mountMail` assembles them.
 */
import { JmapRequestError, type Email, type Id, type Identity, type JmapClient, type Mailbox } from "../../api/jmap";
import type { Draft } from "./compose-model";
import type { ComposeKind } from "./compose-view";
import type { ImageSenders } from "./image-senders";
import type { ListView } from "./list-view";
import type { MessageList } from "./message-list";
import { parseSearch, type ParsedSearch } from "./search";
import type { BulkAction, Selection } from "./selection";
import type { ShellView } from "./shell-view";

/** What the controllers read and write; one instance per signed-in page. */
export class MailState {
  client!: JmapClient;
  imageSenders: ImageSenders | undefined;
  // Settled once the trusted image senders are known: a message opened sooner waits for it.
  imagesKnown: Promise<unknown> = Promise.resolve();
  mailboxes: Mailbox[] = [];
  identities: Identity[] = [];
  selected: Id | null = null;
  list: MessageList | undefined;
  open: Email | undefined;
  readonly allowImages = new Set<Id>();
  search: ParsedSearch = parseSearch("");
  fullText = true;
  threads = false;
  settings: { destroy(): void } | undefined;
  // Bumped by every open and every compose: a message that finishes loading after the
  // user moved on (another message, a reply form) must not take the pane back.
  paneTicket = 0;

  constructor(
    readonly username: string,
    readonly shell: ShellView,
    readonly selection: Selection,
    readonly listView: ListView,
  ) {}

  say(text: string): void {
    this.shell.status.textContent = text;
  }

  async guard(work: Promise<unknown>): Promise<void> {
    try {
      await work;
    } catch (error) {
      if (error instanceof JmapRequestError && error.status === 401) {
        location.reload(); // the session ended: back to sign-in
        return;
      }
      this.say(error instanceof Error ? error.message : String(error));
    }
  }
}

/** The mailbox nav and the message list (list-controller.ts). */
export interface ListOps {
  loadMailboxes(): Promise<void>;
  drawMailboxes(): void;
  selectMailbox(id: Id): Promise<void>;
  startList(): Promise<void>;
  onSearch(text: string): void;
  loadMore(upTo?: number, from?: number): Promise<void>;
  /** Refreshes what `types` changed ({} = everything); resolves when the refresh is done. */
  refresh(types: Record<string, string>): Promise<void>;
}

/** The reading pane (reader-controller.ts). */
export interface ReaderOps {
  openEmail(id: Id): Promise<void>;
  drawReader(): void;
  closeReader(): void;
}

/** One message's actions, Empty Trash and recovery (message-actions.ts). */
export interface ActionOps {
  setKeyword(id: Id, keyword: string, on: boolean): Promise<void>;
  moveTo(email: Email, target: Id, done: string): Promise<void>;
  remove(email: Email): Promise<void>;
  trustSender(email: Email): Promise<void>;
  emptyTrash(): Promise<void>;
  recover(): void;
}

/** Ticked messages (bulk-actions.ts). */
export interface BulkOps {
  tick(id: Id, range: boolean): void;
  bulk(action: BulkAction | "archive" | "delete" | "clear", target?: Id): Promise<void>;
  bulkMove(ids: Id[], target: Id | undefined): Promise<void>;
}

/** The compose form in the reading pane (compose-launcher.ts). */
export interface ComposeOps {
  startCompose(draft: Draft, kind: ComposeKind, fresh?: boolean): void;
  leaveCompose(): void;
  answer(email: Email, kind: "reply" | "reply-all" | "forward"): void;
}

/** Settings over the mail shell (settings-launcher.ts). */
export interface SettingsOps {
  openSettings(): Promise<void>;
}

export type MailContext = MailState &
  ListOps &
  ReaderOps &
  ActionOps &
  BulkOps &
  ComposeOps &
  SettingsOps;
