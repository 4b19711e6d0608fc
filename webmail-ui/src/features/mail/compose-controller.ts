/**
 * One open compose form: saves the draft to Drafts after a pause, on close, and
 * when the tab is hidden or closed (pagehide, visibilitychange; keepalive fetch),
 * uploads attachments with progress, and sends after an undo delay. The server
 * sends at once (maxDelayedSend 0, undoStatus always "final"), so Undo is
 * client-side: EmailSubmission/set is made only once the delay has passed.
 */
import type { Identity, JmapClient } from "../../api/jmap";
import { uploadBlob, type Upload } from "../../api/upload";
import {
  isBlank,
  parseAddresses,
  saveDraft,
  sendDraft,
  type Attachment,
  type Draft,
  type Folders,
} from "./compose-model";
import { attachmentItem, composeView, undoToast, type ComposeKind } from "./compose-view";

/** How long Send waits for Undo before submitting. */
export const UNDO_SEND_MS = 5_000;
/** How long typing must pause before the draft is saved. */
export const AUTOSAVE_MS = 2_000;

export interface ComposeHost {
  client: JmapClient;
  identity: Identity;
  /** Drafts and Sent, looked up when needed (mailboxes may reload). */
  folders(): Folders | undefined;
  /** Where the form goes, and where the toast goes. */
  pane: HTMLElement;
  toastHost: HTMLElement;
  say(text: string): void;
  /** The form has gone: show the reader (or nothing) again. */
  onClosed(): void;
  /** Undo: open the form again on the kept draft. */
  reopen(draft: Draft, kind: ComposeKind): void;
}

export interface Compose {
  /** Saves what is typed (if anything) and removes the form. */
  close(): Promise<void>;
}

export function openCompose(host: ComposeHost, initial: Draft, kind: ComposeKind): Compose {
  const from = host.identity;
  const view = composeView(initial, from.name ? `${from.name} <${from.email}>` : from.email, kind);
  host.pane.replaceChildren(view.root);
  let draft: Draft = { ...initial };
  const attachments: Attachment[] = [...(initial.attachments ?? [])];
  const uploads = new Set<Upload>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let saving: Promise<void> = Promise.resolve();
  let dirty = false;
  let closed = false;

  function current(): Draft {
    const next: Draft = {
      ...draft,
      to: view.to.value,
      cc: view.cc.value,
      subject: view.subject.value,
      body: view.body.value,
      attachments: [...attachments],
    };
    if (!next.cc) delete next.cc;
    return next;
  }

  function changed(): void {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(() => void save(), AUTOSAVE_MS);
  }

  /** Saves one version at a time, each replacing the one before. */
  function save(): Promise<void> {
    clearTimeout(timer);
    saving = saving.then(async () => {
      const folders = host.folders();
      if (!dirty || !folders) return;
      const snapshot = current();
      if (isBlank(snapshot) && !draft.draftId) return;
      dirty = false;
      try {
        draft.draftId = await saveDraft(host.client, snapshot, from, folders.drafts);
        view.saved.textContent = "Draft saved.";
      } catch (error) {
        dirty = true;
        view.saved.textContent = `Draft not saved: ${error instanceof Error ? error.message : String(error)}`;
      }
    });
    return saving;
  }

  function addFiles(files: Iterable<File>): void {
    for (const file of files) {
      let upload: Upload | undefined;
      let attachment: Attachment | undefined;
      const { item, progress } = attachmentItem(file, () => {
        if (upload) upload.abort();
        if (attachment) attachments.splice(attachments.indexOf(attachment), 1);
        item.remove();
        changed();
      });
      view.attachments.append(item);
      const started = uploadBlob(host.client, file, (fraction) => {
        progress.value = fraction;
      });
      upload = started;
      uploads.add(started);
      started.done
        .then((blob) => {
          attachment = { blobId: blob.blobId, name: file.name, type: file.type || blob.type, size: blob.size };
          attachments.push(attachment);
          progress.hidden = true;
          changed();
        })
        .catch((error: unknown) => {
          if (error instanceof DOMException && error.name === "AbortError") return;
          item.remove();
          view.alert.textContent = `${file.name}: ${error instanceof Error ? error.message : String(error)}`;
        })
        .finally(() => {
          uploads.delete(started);
          upload = undefined;
        });
    }
  }

  for (const attachment of attachments) {
    const { item, progress } = attachmentItem(attachment, () => {
      attachments.splice(attachments.indexOf(attachment), 1);
      item.remove();
      changed();
    });
    progress.hidden = true;
    view.attachments.append(item);
  }

  // Closing the tab fires beforeunload, visibilitychange (hidden), then pagehide; the
  // save starts at the first of them (a microtask, before the page goes), and its
  // keepalive request outlives the page. beforeunload comes earliest, which leaves the
  // most time for the request (a browser test under load lost a draft saved only from
  // pagehide); the handler never asks the user to stay.
  const onHide = (): void => {
    if (document.visibilityState === "hidden") void save();
  };
  const onPageHide = (): void => void save();
  window.addEventListener("beforeunload", onPageHide);
  document.addEventListener("visibilitychange", onHide);
  window.addEventListener("pagehide", onPageHide);

  function remove(): void {
    closed = true;
    window.removeEventListener("beforeunload", onPageHide);
    document.removeEventListener("visibilitychange", onHide);
    window.removeEventListener("pagehide", onPageHide);
    clearTimeout(timer);
    for (const upload of uploads) upload.abort();
    view.root.remove();
    host.onClosed();
  }

  async function discard(): Promise<void> {
    if (closed) return;
    remove();
    await saving;
    const id = draft.draftId;
    if (id) await host.client.call("Email/set", { destroy: [id] });
  }

  async function close(): Promise<void> {
    if (closed) return;
    const saved = save();
    remove();
    await saved;
  }

  async function send(): Promise<void> {
    const folders = host.folders();
    if (!folders) throw new Error("Your account has no Drafts or Sent mailbox.");
    if (uploads.size) throw new Error("Wait for the attachments to finish uploading.");
    const toSend = current();
    if (parseAddresses(toSend.to).length + parseAddresses(toSend.cc ?? "").length === 0) {
      throw new Error("Add at least one recipient.");
    }
    // Saved first, so the draft survives a closed tab during the undo delay; the send then submits it.
    dirty = true;
    await save();
    if (dirty) throw new Error("The draft could not be saved, so nothing was sent.");
    const kept: Draft = { ...toSend };
    if (draft.draftId) kept.draftId = draft.draftId;
    remove();
    delayedSend(host, kept, folders, kind);
  }

  view.form.addEventListener("input", changed);
  view.files.addEventListener("change", () => {
    addFiles(view.files.files ?? []);
    view.files.value = "";
  });
  view.form.addEventListener("dragover", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    view.form.classList.add("dropping");
  });
  view.form.addEventListener("dragleave", () => view.form.classList.remove("dropping"));
  view.form.addEventListener("drop", (event) => {
    view.form.classList.remove("dropping");
    if (!event.dataTransfer?.files.length) return;
    event.preventDefault();
    addFiles(event.dataTransfer.files);
  });
  view.discard.addEventListener("click", () => {
    discard().catch((error: unknown) => host.say(error instanceof Error ? error.message : String(error)));
  });
  view.form.addEventListener("submit", (event) => {
    event.preventDefault();
    view.alert.textContent = "";
    view.send.disabled = true;
    send().catch((error: unknown) => {
      view.alert.textContent = error instanceof Error ? error.message : String(error);
      view.send.disabled = false;
    });
  });

  (draft.to ? view.body : view.to).focus();
  if (draft.to) view.body.setSelectionRange(0, 0);
  return { close };
}

/** Shows "Sending… Undo"; submits after UNDO_SEND_MS unless Undo is pressed. */
function delayedSend(host: ComposeHost, draft: Draft, folders: Folders, kind: ComposeKind): void {
  const toast = undoToast(() => {
    clearTimeout(timer);
    toast.remove();
    host.say("Not sent. The message is in Drafts.");
    host.reopen(draft, kind);
  });
  host.toastHost.append(toast);
  const timer = setTimeout(() => {
    toast.remove();
    sendDraft(host.client, draft, host.identity, folders)
      .then(() => host.say("Message sent."))
      .catch((error: unknown) => {
        host.say(`Not sent: ${error instanceof Error ? error.message : String(error)} The message is in Drafts.`);
      });
  }, UNDO_SEND_MS);
}
