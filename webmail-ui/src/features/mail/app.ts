/**
 * The signed-in mail client: builds the shell, assembles the controllers (list, reader,
 * actions, bulk, compose, settings) over one shared state, wires the top bar, the search
 * box, push and the keyboard, and loads the Inbox.
 */
import "./mail.css";
import { logout } from "../../api/auth";
import { JmapClient } from "../../api/jmap";
import { bulkOps } from "./bulk-actions";
import { composeOps } from "./compose-launcher";
import { ImageSenders } from "./image-senders";
import { keyHandler } from "./keyboard";
import { listOps } from "./list-controller";
import { ListView } from "./list-view";
import { MailState, type MailContext } from "./mail-context";
import { byRole, MAILBOX_PROPERTIES } from "./mailboxes";
import { actionOps } from "./message-actions";
import { subscribe } from "./push";
import { emptyReader } from "./reader-view";
import { readerOps } from "./reader-controller";
import { Selection } from "./selection";
import { settingsOps } from "./settings-launcher";
import { shellView, showPane } from "./shell-view";

export interface MailHandle {
  destroy(): void;
}

export function mountMail(replaced: Element, username: string): MailHandle {
  const mounted = performance.now();
  const shell = shellView(username);
  replaced.replaceWith(shell.root);
  document.title = "Sealbox";

  const selection = new Selection();
  // The view's callbacks run on user input, after `mail` below is assembled.
  const listView = new ListView(
    shell.list,
    {
      onOpen: (id) => void mail.guard(mail.openEmail(id)),
      onLoadMore: (upTo, from) => void mail.guard(mail.loadMore(upTo, from)),
      onTick: (id, range) => mail.tick(id, range),
      onBulk: (action, target) => void mail.guard(mail.bulk(action, target)),
      onThreads: (on) => {
        mail.threads = on;
        void mail.guard(mail.startList());
      },
      onEmptyTrash: () => void mail.guard(mail.emptyTrash()),
      onRecover: () => mail.recover(),
    },
    selection,
  );
  const mail = new MailState(username, shell, selection, listView) as MailContext;
  Object.assign(mail, listOps(mail), readerOps(mail), actionOps(mail), bulkOps(mail), composeOps(mail), settingsOps(mail));
  const onKey = keyHandler(mail);
  let unsubscribe = (): void => {};

  let typing: ReturnType<typeof setTimeout> | undefined;
  shell.searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(typing);
    mail.onSearch(shell.search.value);
  });
  shell.search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => mail.onSearch(shell.search.value), 300);
  });
  shell.search.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    shell.search.value = "";
    clearTimeout(typing);
    mail.onSearch("");
    shell.search.blur();
  });
  shell.compose.addEventListener("click", () => mail.startCompose({ to: "", subject: "", body: "" }, "new"));
  shell.menu.addEventListener("click", () => showPane(shell, shell.root.dataset["pane"] === "nav" ? "list" : "nav"));
  shell.settings.addEventListener("click", () => void mail.guard(mail.openSettings()));
  shell.signOut.addEventListener("click", () => {
    shell.signOut.disabled = true;
    void logout().finally(() => location.reload());
  });
  document.addEventListener("keydown", onKey);
  shell.reader.replaceChildren(emptyReader());
  mail.say("Loading…");

  void mail.guard(
    (async () => {
      const client = await JmapClient.connect();
      mail.client = client;
      mail.imageSenders = new ImageSenders(client);
      // Not awaited before the inbox: only opening a message needs it.
      mail.imagesKnown = mail.imageSenders.load().catch(() => undefined);
      const batch = client.batch();
      const boxes = batch.call("Mailbox/get", { ids: null, properties: MAILBOX_PROPERTIES });
      const got = batch.call("Identity/get", { ids: null });
      await batch.send();
      mail.mailboxes = boxes.response.list;
      mail.identities = got.response.list;
      const inbox = byRole(mail.mailboxes, "inbox") ?? mail.mailboxes[0];
      if (inbox) await mail.selectMailbox(inbox.id);
      else mail.drawMailboxes();
      // Read by the browser tests' timing step: signed in to the first rows drawn.
      performance.measure("sealbox:inbox-rendered", { start: mounted });
      unsubscribe = subscribe(client, (types) => void mail.refresh(types));
      await mail.imagesKnown;
      mail.say("");
    })(),
  );

  return {
    destroy(): void {
      mail.leaveCompose();
      mail.settings?.destroy();
      unsubscribe();
      document.removeEventListener("keydown", onKey);
      shell.root.remove();
    },
  };
}
