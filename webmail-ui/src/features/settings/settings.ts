/**
 * The Settings screen: account security (password, two-step sign-in, app
 * passwords, and a mount point for passkeys) and mail settings (identities,
 * vacation response, search, remote images, deleted mail). Opened from the mail top bar; loaded on demand.
 */
import "./settings.css";
import type { JmapClient } from "../../api/jmap";
import { SettingsApi } from "../../api/settings";
import { h } from "../../lib/dom";
import type { ImageSenders } from "../mail/image-senders";
import { identitySection, vacationSection } from "./account-sections";
import { deletedSection } from "./deleted-section";
import { imagesSection } from "./images-section";
import { renderPasskeys } from "../passkeys";
import { recoverySection } from "./recovery-section";
import { searchSection } from "./search-section";
import { appPasswordSection, passwordSection, totpSection } from "./credential-sections";

export interface SettingsHandle {
  root: HTMLElement;
  destroy(): void;
}

export interface SettingsOptions {
  client: JmapClient;
  username: string;
  /** The mail side's list of trusted image senders, edited here. */
  imageSenders?: ImageSenders | undefined;
  /** Opens "Recover deleted mail" over this screen. */
  onRecover?: () => void;
  onClose(): void;
  api?: SettingsApi;
}

export function mountSettings(container: Element, options: SettingsOptions): SettingsHandle {
  const api = options.api ?? new SettingsApi();
  const passkeys = h("div", { id: "passkeys-settings", class: "settings-slot" });
  renderPasskeys(passkeys);
  const back = h("button", { type: "button", class: "secondary" }, "Back to mail");
  back.addEventListener("click", () => options.onClose());
  const heading = h("h1", { tabindex: "-1" }, "Settings");
  const root = h(
    "div",
    { class: "settings-page" },
    h("header", { class: "settings-top" }, back, heading, h("span", { class: "muted whoami" }, options.username)),
    h(
      "main",
      { class: "settings-main" },
      passwordSection(api, options.username),
      recoverySection(api, options.username),
      totpSection(api),
      passkeys,
      appPasswordSection(api),
      identitySection(options.client),
      vacationSection(options.client),
      searchSection(options.client),
      imagesSection(options.imageSenders),
      deletedSection(options.client, options.onRecover),
    ),
  );
  container.append(root);
  heading.focus();
  const onKey = (event: KeyboardEvent): void => {
    if (event.key === "Escape" && !(event.target as HTMLElement | null)?.closest("input, textarea, dialog")) options.onClose();
  };
  document.addEventListener("keydown", onKey);
  return {
    root,
    destroy() {
      document.removeEventListener("keydown", onKey);
      root.remove();
    },
  };
}
