/**
 * The signed-in mail client: wires the JMAP data code (message-list,
 * mailboxes, compose-model) to the views, push and the keyboard.
 */
import "./mail.css";
import { logout } from "../../api/auth";
import {
  JmapClient,
  JmapMethodError,
  JmapRequestError,
  type Email,
  type Id,
  type Identity,
  type Mailbox,
  type PatchObject,
} from "../../api/jmap";
import { forwardDraft, replyAllDraft, replyDraft, withSignature, type Draft } from "./compose-model";
import { openCompose, type Compose } from "./compose-controller";
import type { ComposeKind } from "./compose-view";
import { emptyMailbox } from "./empty-trash";
import { ImageSenders, senderKey } from "./image-senders";
import { ListView } from "./list-view";
import { renderMailboxes } from "./mailbox-view";
import { byRole, displayName, flatten, MAILBOX_PROPERTIES, mailboxTree } from "./mailboxes";
import { MessageList, SUMMARY_PROPERTIES } from "./message-list";
import { subscribe } from "./push";
import { canRecover } from "./recover-model";
import { openRecover } from "./recover-view";
import { shortcutHelp } from "./shortcuts";
import { bulkPatch, movePatch, Selection, type BulkAction } from "./selection";
import { isEmptySearch, parseSearch, searchFilter, type ParsedSearch } from "./search";
import { emptyReader, partsText, readerView } from "./reader-view";
import { shellView, showPane } from "./shell-view";

export interface MailHandle {
  destroy(): void;
}

const FULL_PROPERTIES = [
  ...SUMMARY_PROPERTIES,
  "cc",
  "replyTo",
  "sentAt",
  "messageId",
  "inReplyTo",
  "references",
  "textBody",
  "htmlBody",
  "attachments",
  "bodyValues",
  "headers",
];

export function mountMail(replaced: Element, username: string): MailHandle {
  const mounted = performance.now();
  const shell = shellView(username);
  replaced.replaceWith(shell.root);
  document.title = "Sealbox";

  let client: JmapClient;
  let imageSenders: ImageSenders | undefined;
  // Settled once the trusted image senders are known: a message opened sooner waits for it.
  let imagesKnown: Promise<unknown> = Promise.resolve();
  let mailboxes: Mailbox[] = [];
  let identities: Identity[] = [];
  let compose: Compose | undefined;
  let selected: Id | null = null;
  let list: MessageList | undefined;
  let open: Email | undefined;
  const allowImages = new Set<Id>();
  let search: ParsedSearch = parseSearch("");
  let fullText = true;
  let threads = false;
  let unsubscribe = (): void => {};
  const selection = new Selection();
  const listView = new ListView(
    shell.list,
    {
      onOpen: (id) => void guard(openEmail(id)),
      onLoadMore: () => void guard(loadMore()),
      onTick: (id, range) => tick(id, range),
      onBulk: (action, target) => void guard(bulk(action, target)),
      onThreads: (on) => {
        threads = on;
        void guard(startList());
      },
      onEmptyTrash: () => void guard(emptyTrash()),
      onRecover: () => recover(),
    },
    selection,
  );

  function say(text: string): void {
    shell.status.textContent = text;
  }

  async function guard(work: Promise<unknown>): Promise<void> {
    try {
      await work;
    } catch (error) {
      if (error instanceof JmapRequestError && error.status === 401) {
        location.reload(); // the session ended: back to sign-in
        return;
      }
      say(error instanceof Error ? error.message : String(error));
    }
  }

  // --- mailboxes --------------------------------------------------------------

  async function loadMailboxes(): Promise<void> {
    const got = await client.call("Mailbox/get", { ids: null, properties: MAILBOX_PROPERTIES });
    mailboxes = got.list;
    drawMailboxes();
  }

  function drawMailboxes(): void {
    const tree = mailboxTree(mailboxes);
    renderMailboxes(
      shell.nav,
      tree,
      selected,
      (id) => void guard(selectMailbox(id)),
      (id, ids) => void guard(bulkMove(ids, id)),
    );
    const targets = flatten(tree).filter((n) => n.mailbox.id !== selected);
    listView.setMoveTargets(targets.map((n) => ({ id: n.mailbox.id, name: displayName(n.mailbox) })));
  }

  async function selectMailbox(id: Id): Promise<void> {
    selected = id;
    drawMailboxes();
    closeReader();
    showPane(shell, "list");
    await startList();
  }

  /** A fresh list of the selected mailbox, narrowed by the search box when it has terms. */
  async function startList(): Promise<void> {
    if (!selected) return;
    const mailbox = mailboxes.find((m) => m.id === selected);
    const name = mailbox ? displayName(mailbox) : "";
    const searching = !isEmptySearch(search);
    listView.reset(searching ? `Search in ${name}` : name);
    listView.setEmptyTrash(!searching && mailbox?.role === "trash", false, canRecover(client));
    selection.clear();
    list = new MessageList(client, selected, 50, searching ? searchFilter(search, selected, fullText) : null, threads);
    try {
      await loadMore();
    } catch (error) {
      // The account's full-text index is off: match free words on subject and sender.
      if (!(error instanceof JmapMethodError && error.type === "unsupportedFilter" && fullText)) throw error;
      fullText = false;
      await startList();
    }
  }

  function onSearch(text: string): void {
    const next = parseSearch(text);
    if (JSON.stringify(next) === JSON.stringify(search)) return;
    search = next;
    void guard(startList());
  }

  // --- the list ---------------------------------------------------------------

  let loading: MessageList | undefined;

  async function loadMore(): Promise<void> {
    const current = list;
    if (!current || loading === current || (current.loaded && !current.hasMore)) return;
    loading = current;
    listView.setMore(true, true);
    try {
      await current.loadMore();
    } finally {
      if (loading === current) loading = undefined;
      if (current === list) {
        listView.sync(current.items, [], current.total);
        listView.setMore(current.hasMore);
      }
    }
  }

  let refreshing: Promise<void> | undefined;
  let again = false;

  /** Coalesces bursts of push events into one refresh at a time. */
  function refresh(types: Record<string, string>): void {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = (async () => {
      do {
        again = false;
        const all = Object.keys(types).length === 0;
        if (all || "Mailbox" in types) await loadMailboxes();
        const current = list;
        if (current && (all || ("Email" in types && types["Email"] !== current.state))) {
          const change = await current.refresh();
          if (current !== list) continue;
          listView.sync(current.items, change.updated, current.total);
          listView.setMore(current.hasMore);
          if (change.inserted.length) say(`${change.inserted.length} new message${change.inserted.length > 1 ? "s" : ""}`);
          if (open && change.removed.includes(open.id) && !current.get(open.id)) closeReader();
        }
      } while (again);
    })()
      .catch((error: unknown) => guard(Promise.reject(error)))
      .finally(() => {
        refreshing = undefined;
      });
  }

  // --- reading ----------------------------------------------------------------

  // Bumped by every open and every compose: a message that finishes loading after the
  // user moved on (another message, a reply form) must not take the pane back.
  let paneTicket = 0;

  async function openEmail(id: Id): Promise<void> {
    const ticket = ++paneTicket;
    const started = performance.now();
    const summary = list?.get(id);
    listView.select(id);
    const markRead = summary && !summary.keywords["$seen"];
    // The $seen write is its own request: the message draws as soon as Email/get
    // answers instead of waiting for the write's commit (the open budget is 100 ms).
    if (markRead) void guard(setSeen(id));
    const [got] = await Promise.all([
      client.call("Email/get", {
        ids: [id],
        properties: FULL_PROPERTIES,
        fetchTextBodyValues: true,
        fetchHTMLBodyValues: true,
        maxBodyValueBytes: 2_000_000,
      }),
      imagesKnown,
    ]);
    if (ticket !== paneTicket) return;
    const fetched = got.list[0];
    if (!fetched) {
      say("That message is no longer there.");
      return;
    }
    // The get may have run before the write: show it read either way.
    const email = markRead ? { ...fetched, keywords: { ...fetched.keywords, $seen: true } } : fetched;
    open = email;
    list?.patch(id, { keywords: email.keywords ?? {} });
    listView.sync(list?.items ?? [], [id], list?.total);
    listView.select(id);
    drawReader();
    showPane(shell, "reader");
    performance.measure("sealbox:open-message", { start: started });
  }

  async function setSeen(id: Id): Promise<void> {
    const result = await client.call("Email/set", { update: { [id]: { "keywords/$seen": true } } });
    if (result.notUpdated?.[id]) say("The message could not be marked read.");
  }

  function drawReader(): void {
    if (!open) return;
    leaveCompose();
    const email = open;
    const trash = byRole(mailboxes, "trash");
    const archive = byRole(mailboxes, "archive");
    shell.reader.replaceChildren(
      readerView(
        email,
        {
          onBack: () => showPane(shell, "list"),
          onReply: () => answer(email, "reply"),
          onReplyAll: () => answer(email, "reply-all"),
          onForward: () => answer(email, "forward"),
          onToggleFlag: () => void guard(setKeyword(email.id, "$flagged", !email.keywords?.["$flagged"])),
          onMarkUnread: () => void guard(setKeyword(email.id, "$seen", false)),
          onArchive: () => archive && void guard(moveTo(email, archive.id, "Archived.")),
          onDelete: () => void guard(remove(email)),
          onShowImages: () => {
            allowImages.add(email.id);
            drawReader();
          },
          onAlwaysShowImages: () => void guard(trustSender(email)),
        },
        {
          allowImages: allowImages.has(email.id) || !!imageSenders?.trusts(email),
          trustableSender: imageSenders?.supported ? senderKey(email) : "",
          canArchive: !!archive && selected !== archive.id,
          inTrash: !!trash && selected === trash.id,
          downloadUrl: (part) => client.downloadUrl(part.blobId ?? "", part.name ?? "attachment", part.type),
        },
      ),
    );
  }

  async function trustSender(email: Email): Promise<void> {
    const sender = senderKey(email);
    if (!imageSenders || !sender) return;
    await imageSenders.set(sender, true);
    if (open?.id === email.id) drawReader();
    say(`Images from ${sender} will always be shown. You can change this in Settings.`);
  }

  function closeReader(): void {
    leaveCompose();
    open = undefined;
    listView.select(null);
    shell.reader.replaceChildren(emptyReader());
  }

  // --- actions ----------------------------------------------------------------

  async function update(id: Id, patch: PatchObject): Promise<void> {
    const batch = client.batch();
    const set = batch.call("Email/set", { update: { [id]: patch } });
    const boxes = batch.call("Mailbox/get", { ids: null, properties: MAILBOX_PROPERTIES });
    await batch.send();
    const failed = set.response.notUpdated?.[id];
    if (failed) throw new Error(failed.description ?? `That did not work (${failed.type}).`);
    mailboxes = boxes.response.list;
    drawMailboxes();
  }

  async function setKeyword(id: Id, keyword: string, on: boolean): Promise<void> {
    await update(id, { [`keywords/${keyword}`]: on ? true : null });
    const keywords = { ...(open?.id === id ? open.keywords : list?.get(id)?.keywords) };
    if (on) keywords[keyword] = true;
    else delete keywords[keyword];
    list?.patch(id, { keywords });
    listView.sync(list?.items ?? [], [id], list?.total);
    if (open?.id === id) {
      open = { ...open, keywords };
      drawReader();
    }
    say(keyword === "$flagged" ? (on ? "Flagged." : "Unflagged.") : on ? "Marked read." : "Marked unread.");
  }

  async function moveTo(email: Email, target: Id, done: string): Promise<void> {
    const patch: PatchObject = { [`mailboxIds/${target}`]: true };
    for (const id of Object.keys(email.mailboxIds ?? {})) if (id !== target) patch[`mailboxIds/${id}`] = null;
    const next = neighbour(email.id, 1) ?? neighbour(email.id, -1);
    await update(email.id, patch);
    afterRemoval(email.id, next);
    say(done);
  }

  async function remove(email: Email): Promise<void> {
    const trash = byRole(mailboxes, "trash");
    if (trash && selected !== trash.id) return moveTo(email, trash.id, "Moved to Trash.");
    const next = neighbour(email.id, 1) ?? neighbour(email.id, -1);
    const result = await client.call("Email/set", { destroy: [email.id] });
    if (result.notDestroyed?.[email.id]) throw new Error("The message could not be deleted.");
    afterRemoval(email.id, next);
    say("Deleted. Deleted mail is kept for 30 days in case you need it back.");
    await loadMailboxes();
  }

  function afterRemoval(id: Id, next: Id | undefined): void {
    list?.remove(id);
    listView.sync(list?.items ?? [], [], list?.total);
    listView.setMore(list?.hasMore ?? false);
    if (next) void guard(openEmail(next));
    else closeReader();
  }

  function neighbour(id: Id, step: 1 | -1): Id | undefined {
    const items = list?.items ?? [];
    const at = items.findIndex((i) => i.id === id);
    return at === -1 ? undefined : items[at + step]?.id;
  }

  async function emptyTrash(): Promise<void> {
    const trash = byRole(mailboxes, "trash");
    if (!trash) return;
    const n = trash.totalEmails;
    const what = n === 1 ? "the 1 message" : `all ${n} messages`;
    if (!confirm(`Empty Trash? This deletes ${what} in Trash. Deleted mail is kept for 30 days for recovery.`)) return;
    listView.setEmptyTrash(true, true, canRecover(client));
    try {
      const done = await emptyMailbox(client, trash.id, (count) => say(`Deleting… ${count} of ${n}`));
      closeReader();
      say(`Trash emptied (${done.destroyed + done.unfiled} messages). Deleted mail is kept for 30 days in case you need it back.`);
    } finally {
      listView.setEmptyTrash(selected === trash.id && isEmptySearch(search), false, canRecover(client));
      refresh({ Email: "", Mailbox: "" });
      await refreshing;
    }
  }

  /** The deleted-mail dialog; what it restores shows up by refresh (and push). */
  function recover(): void {
    if (document.querySelector("dialog.recover")) return;
    // Over Settings too, which hides the mail shell: a hidden dialog could not show.
    openRecover(shell.root.hidden ? document.body : shell.root, client, (count) => {
      say(`Restored ${count} message${count === 1 ? "" : "s"}.`);
      refresh({ Email: "", Mailbox: "" });
    });
  }

  // --- several at once --------------------------------------------------------

  function tick(id: Id, range: boolean): void {
    selection.toggle(id, (list?.items ?? []).map((i) => i.id), range);
    listView.select(open?.id ?? null);
  }

  async function bulk(action: BulkAction | "archive" | "delete" | "clear", target?: Id): Promise<void> {
    const ids = selection.ids;
    if (action === "clear" || !ids.length) {
      selection.clear();
      listView.select(open?.id ?? null);
      return;
    }
    const trash = byRole(mailboxes, "trash");
    if (action === "archive") return bulkMove(ids, byRole(mailboxes, "archive")?.id);
    if (action === "delete" && trash && selected !== trash.id) return bulkMove(ids, trash.id);
    if (action === "delete") {
      const n = ids.length;
      if (!confirm(`Delete ${n} message${n > 1 ? "s" : ""} from Trash? Deleted mail is kept for 30 days for recovery.`)) return;
      const result = await client.call("Email/set", { destroy: ids });
      if (result.notDestroyed) throw new Error("Some messages could not be deleted.");
      return afterBulk("Deleted. Deleted mail is kept for 30 days in case you need it back.");
    }
    await bulkSet(bulkPatch(ids, action, (id) => list?.get(id)?.mailboxIds ?? {}, target));
    const done = { read: "Marked read.", unread: "Marked unread.", flag: "Flagged.", unflag: "Unflagged.", move: "Moved." };
    await afterBulk(done[action]);
  }

  async function bulkMove(ids: Id[], target: Id | undefined): Promise<void> {
    if (!target || !ids.length) return;
    const update: Record<Id, PatchObject> = {};
    for (const id of ids) update[id] = movePatch(list?.get(id)?.mailboxIds ?? { [selected ?? ""]: true }, target);
    await bulkSet(update);
    const mailbox = mailboxes.find((m) => m.id === target);
    await afterBulk(`Moved ${ids.length} to ${mailbox ? displayName(mailbox) : "the mailbox"}.`);
  }

  async function bulkSet(update: Record<Id, PatchObject>): Promise<void> {
    const result = await client.call("Email/set", { update });
    const failed = Object.values(result.notUpdated ?? {})[0];
    if (failed) throw new Error(failed.description ?? `That did not work (${failed.type}).`);
  }

  async function afterBulk(done: string): Promise<void> {
    selection.clear();
    if (open && !list?.get(open.id)) closeReader();
    refresh({ Email: "", Mailbox: "" });
    await refreshing;
    if (open && !list?.get(open.id)) closeReader();
    say(done);
  }

  // --- compose ----------------------------------------------------------------

  function startCompose(draft: Draft, kind: ComposeKind, fresh = true): void {
    paneTicket++;
    leaveCompose();
    const from = identities[0];
    if (!from) {
      say("Your account has no sending identity.");
      return;
    }
    // A form left for another one finishes closing later: only the current form's
    // closing may redraw the pane, or it would wipe the form that replaced it.
    const opened: Compose = openCompose(
      {
        client,
        identity: from,
        folders: () => {
          const drafts = byRole(mailboxes, "drafts");
          const sent = byRole(mailboxes, "sent");
          return drafts && sent ? { drafts: drafts.id, sent: sent.id } : undefined;
        },
        pane: shell.reader,
        toastHost: shell.root,
        say,
        onClosed: () => {
          if (compose !== opened) return;
          compose = undefined;
          if (open) drawReader();
          else closeReader();
        },
        reopen: (kept, again) => startCompose(kept, again, false),
      },
      fresh ? withSignature(draft, from.textSignature) : draft,
      kind,
    );
    compose = opened;
    showPane(shell, "reader");
  }

  /** Leaving the form some other way (another message, another draft) saves it. */
  function leaveCompose(): void {
    const current = compose;
    compose = undefined;
    if (current) void guard(current.close());
  }

  function answer(email: Email, kind: "reply" | "reply-all" | "forward"): void {
    const text = partsText(email, email.textBody, "text/plain") ?? "";
    const own = [username, ...identities.map((i) => i.email)];
    const draft =
      kind === "reply" ? replyDraft(email, text) : kind === "reply-all" ? replyAllDraft(email, text, own) : forwardDraft(email, text);
    startCompose(draft, kind);
  }

  // --- keyboard ---------------------------------------------------------------

  // --- settings ---------------------------------------------------------------

  let settings: { destroy(): void } | undefined;

  async function openSettings(): Promise<void> {
    if (settings || !client) return;
    // Loaded on demand: the QR code library stays out of the first page load.
    const { mountSettings } = await import("../settings");
    shell.root.hidden = true;
    settings = mountSettings(shell.root.parentElement ?? document.body, {
      client,
      username,
      imageSenders,
      onRecover: recover,
      onClose: closeSettings,
    });
  }

  function closeSettings(): void {
    settings?.destroy();
    settings = undefined;
    shell.root.hidden = false;
    shell.settings.focus();
    if (open) drawReader(); // a sender removed in Settings no longer shows images
    // A signature edited in Settings applies to the next message.
    void guard(client.call("Identity/get", { ids: null }).then((got) => (identities = got.list)));
  }

  function onKey(event: KeyboardEvent): void {
    if (settings || document.querySelector("dialog.shortcut-help[open], dialog.recover[open]")) return;
    const target = event.target as HTMLElement | null;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target && (target.closest("input, textarea, select, [contenteditable]") || target.isContentEditable)) return;
    const items = list?.items ?? [];
    if (event.key === "j" || event.key === "k") {
      const at = open ? items.findIndex((i) => i.id === open?.id) : -1;
      const next = items[event.key === "j" ? at + 1 : Math.max(0, at - 1)];
      if (next) {
        event.preventDefault();
        listView.focus(next.id);
        void guard(openEmail(next.id));
      }
    } else if (event.key === "?") {
      event.preventDefault();
      if (document.querySelector("dialog.shortcut-help")) return;
      const help = shortcutHelp();
      shell.root.append(help);
      help.showModal();
    } else if (event.key === "e" && open) {
      const archive = byRole(mailboxes, "archive");
      if (archive && selected !== archive.id) {
        event.preventDefault();
        void guard(moveTo(open, archive.id, "Archived."));
      }
    } else if (event.key === "#" && open) {
      event.preventDefault();
      void guard(remove(open));
    } else if (event.key === "x") {
      const row = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>("li[data-id]");
      const id = row?.dataset["id"] ?? open?.id;
      if (id) {
        event.preventDefault();
        tick(id, event.shiftKey);
      }
    } else if (event.key === "/") {
      event.preventDefault();
      shell.search.focus();
      shell.search.select();
    } else if (event.key === "c") {
      event.preventDefault();
      startCompose({ to: "", subject: "", body: "" }, "new");
    } else if ((event.key === "r" || event.key === "a" || event.key === "f") && open) {
      event.preventDefault();
      answer(open, event.key === "r" ? "reply" : event.key === "a" ? "reply-all" : "forward");
    }
  }

  // --- start ------------------------------------------------------------------

  let typing: ReturnType<typeof setTimeout> | undefined;
  shell.searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(typing);
    onSearch(shell.search.value);
  });
  shell.search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => onSearch(shell.search.value), 300);
  });
  shell.search.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    shell.search.value = "";
    clearTimeout(typing);
    onSearch("");
    shell.search.blur();
  });
  shell.compose.addEventListener("click", () => startCompose({ to: "", subject: "", body: "" }, "new"));
  shell.menu.addEventListener("click", () =>
    showPane(shell, shell.root.dataset["pane"] === "nav" ? "list" : "nav"),
  );
  shell.settings.addEventListener("click", () => void guard(openSettings()));
  shell.signOut.addEventListener("click", () => {
    shell.signOut.disabled = true;
    void logout().finally(() => location.reload());
  });
  document.addEventListener("keydown", onKey);
  shell.reader.replaceChildren(emptyReader());
  say("Loading…");

  void guard(
    (async () => {
      client = await JmapClient.connect();
      imageSenders = new ImageSenders(client);
      // Not awaited before the inbox: only opening a message needs it.
      imagesKnown = imageSenders.load().catch(() => undefined);
      const batch = client.batch();
      const boxes = batch.call("Mailbox/get", { ids: null, properties: MAILBOX_PROPERTIES });
      const got = batch.call("Identity/get", { ids: null });
      await batch.send();
      mailboxes = boxes.response.list;
      identities = got.response.list;
      const inbox = byRole(mailboxes, "inbox") ?? mailboxes[0];
      if (inbox) await selectMailbox(inbox.id);
      else drawMailboxes();
      // Read by the browser tests' timing step: signed in to the first rows drawn.
      performance.measure("sealbox:inbox-rendered", { start: mounted });
      unsubscribe = subscribe(client, refresh);
      await imagesKnown;
      say("");
    })(),
  );

  return {
    destroy(): void {
      leaveCompose();
      settings?.destroy();
      unsubscribe();
      document.removeEventListener("keydown", onKey);
      shell.root.remove();
    },
  };
}

