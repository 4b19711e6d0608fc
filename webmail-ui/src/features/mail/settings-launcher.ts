/**
 * Settings over the mail shell: loaded on demand (the QR code library stays out of the
 * first page load), and on close the reader and identities pick up what changed.
 */
import type { MailContext, SettingsOps } from "./mail-context";

export function settingsOps(mail: MailContext): SettingsOps {
  const { shell } = mail;

  async function openSettings(): Promise<void> {
    if (mail.settings || !mail.client) return;
    const { mountSettings } = await import("../settings");
    shell.root.hidden = true;
    mail.settings = mountSettings(shell.root.parentElement ?? document.body, {
      client: mail.client,
      username: mail.username,
      imageSenders: mail.imageSenders,
      onRecover: () => mail.recover(),
      onClose: closeSettings,
    });
  }

  function closeSettings(): void {
    mail.settings?.destroy();
    mail.settings = undefined;
    shell.root.hidden = false;
    shell.settings.focus();
    if (mail.open) mail.drawReader(); // a sender removed in Settings no longer shows images
    // A signature edited in Settings applies to the next message.
    void mail.guard(mail.client.call("Identity/get", { ids: null }).then((got) => (mail.identities = got.list)));
  }

  return { openSettings };
}
