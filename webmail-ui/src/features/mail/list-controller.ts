/**
 * The mailbox nav and the message list: loads mailboxes, starts a list for the selected
 * mailbox (narrowed by the search box), pages it in, and refreshes both on push
 * (RFC 8620 7) with bursts coalesced into one refresh at a time.
 */
import { JmapMethodError, type Id } from "../../api/jmap";
import type { ListOps, MailContext } from "./mail-context";
import { renderMailboxes } from "./mailbox-view";
import { displayName, flatten, MAILBOX_PROPERTIES, mailboxTree } from "./mailboxes";
import { MessageList } from "./message-list";
import { canRecover } from "./recover-model";
import { isEmptySearch, parseSearch, searchFilter } from "./search";
import { showPane } from "./shell-view";
import { pageSize } from "./empty-trash";

/** Most rows one jump's request asks for: a deep jump in few requests, each still quick. */
const MAX_PAGE = 500;

export function listOps(mail: MailContext): ListOps {
  const { shell, listView, selection } = mail;

  async function loadMailboxes(): Promise<void> {
    const got = await mail.client.call("Mailbox/get", { ids: null, properties: MAILBOX_PROPERTIES });
    mail.mailboxes = got.list;
    drawMailboxes();
  }

  function drawMailboxes(): void {
    const tree = mailboxTree(mail.mailboxes);
    renderMailboxes(
      shell.nav,
      tree,
      mail.selected,
      (id) => void mail.guard(selectMailbox(id)),
      (id, ids) => void mail.guard(mail.bulkMove(ids, id)),
    );
    const targets = flatten(tree).filter((n) => n.mailbox.id !== mail.selected);
    listView.setMoveTargets(targets.map((n) => ({ id: n.mailbox.id, name: displayName(n.mailbox) })));
  }

  async function selectMailbox(id: Id): Promise<void> {
    mail.selected = id;
    drawMailboxes();
    mail.closeReader();
    showPane(shell, "list");
    await startList();
  }

  /** A fresh list of the selected mailbox, narrowed by the search box when it has terms. */
  async function startList(): Promise<void> {
    const selected = mail.selected;
    if (!selected) return;
    const mailbox = mail.mailboxes.find((m) => m.id === selected);
    const name = mailbox ? displayName(mailbox) : "";
    const searching = !isEmptySearch(mail.search);
    listView.reset(searching ? `Search in ${name}` : name);
    listView.setEmptyTrash(!searching && mailbox?.role === "trash", false, canRecover(mail.client));
    selection.clear();
    const filter = searching ? searchFilter(mail.search, selected, mail.fullText) : null;
    mail.list = new MessageList(mail.client, selected, 50, filter, mail.threads);
    try {
      await loadMore();
    } catch (error) {
      // The account's full-text index is off: match free words on subject and sender.
      if (!(error instanceof JmapMethodError && error.type === "unsupportedFilter" && mail.fullText)) throw error;
      mail.fullText = false;
      await startList();
    }
  }

  function onSearch(text: string): void {
    const next = parseSearch(text);
    if (JSON.stringify(next) === JSON.stringify(mail.search)) return;
    mail.search = next;
    void mail.guard(startList());
  }

  let loading: MessageList | undefined;

  /** The next page, or rows [`from`, `upTo`) the view wants: far below (a jump down the
   * scrollbar) they are fetched by position, nearer the loaded rows grow to reach them. */
  async function loadMore(upTo = 0, from = 0): Promise<void> {
    const current = mail.list;
    if (!current || loading === current || (current.loaded && !current.hasMore)) return;
    loading = current;
    listView.setMore(true, true);
    try {
      const most = pageSize(mail.client, MAX_PAGE);
      if (from > current.items.length + most) await current.loadAt(from, upTo - from, most);
      else await current.loadMore(upTo, most);
    } finally {
      if (loading === current) loading = undefined;
      if (current === mail.list) {
        listView.sync(current.items, [], current.total, current.far);
        listView.setMore(current.hasMore);
      }
    }
  }

  let refreshing: Promise<void> | undefined;
  let again = false;

  /** Coalesces bursts of push events into one refresh at a time. */
  function refresh(types: Record<string, string>): Promise<void> {
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        again = false;
        const all = Object.keys(types).length === 0;
        if (all || "Mailbox" in types) await loadMailboxes();
        const current = mail.list;
        if (current && (all || ("Email" in types && types["Email"] !== current.state))) {
          const change = await current.refresh();
          if (current !== mail.list) continue;
          listView.sync(current.items, change.updated, current.total, current.far);
          listView.setMore(current.hasMore);
          const n = change.inserted.length;
          if (n) mail.say(`${n} new message${n > 1 ? "s" : ""}`);
          if (mail.open && change.removed.includes(mail.open.id) && !current.get(mail.open.id)) mail.closeReader();
        }
      } while (again);
    })()
      .catch((error: unknown) => mail.guard(Promise.reject(error)))
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  }

  return { loadMailboxes, drawMailboxes, selectMailbox, startList, onSearch, loadMore, refresh };
}
