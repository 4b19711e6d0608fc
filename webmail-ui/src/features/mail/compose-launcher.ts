/**
 * Opens the compose form in the reading pane (new, reply, reply-all, forward) with the
 * first identity and its signature, and saves it when the user leaves it another way.
 */
import type { Email } from "../../api/jmap";
import { openCompose, type Compose } from "./compose-controller";
import { forwardDraft, replyAllDraft, replyDraft, withSignature, type Draft } from "./compose-model";
import type { ComposeKind } from "./compose-view";
import type { ComposeOps, MailContext } from "./mail-context";
import { byRole } from "./mailboxes";
import { partsText } from "./reader-view";
import { showPane } from "./shell-view";

export function composeOps(mail: MailContext): ComposeOps {
  const { shell } = mail;
  let compose: Compose | undefined;

  function startCompose(draft: Draft, kind: ComposeKind, fresh = true): void {
    mail.paneTicket++;
    leaveCompose();
    const from = mail.identities[0];
    if (!from) {
      mail.say("Your account has no sending identity.");
      return;
    }
    // A form left for another one finishes closing later: only the current form's
    // closing may redraw the pane, or it would wipe the form that replaced it.
    const opened: Compose = openCompose(
      {
        client: mail.client,
        identity: from,
        folders: () => {
          const drafts = byRole(mail.mailboxes, "drafts");
          const sent = byRole(mail.mailboxes, "sent");
          return drafts && sent ? { drafts: drafts.id, sent: sent.id } : undefined;
        },
        pane: shell.reader,
        toastHost: shell.root,
        say: (text) => mail.say(text),
        onClosed: () => {
          if (compose !== opened) return;
          compose = undefined;
          if (mail.open) mail.drawReader();
          else mail.closeReader();
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
    if (current) void mail.guard(current.close());
  }

  function answer(email: Email, kind: "reply" | "reply-all" | "forward"): void {
    const text = partsText(email, email.textBody, "text/plain") ?? "";
    const own = [mail.username, ...mail.identities.map((i) => i.email)];
    const draft =
      kind === "reply" ? replyDraft(email, text) : kind === "reply-all" ? replyAllDraft(email, text, own) : forwardDraft(email, text);
    startCompose(draft, kind);
  }

  return { startCompose, leaveCompose, answer };
}
