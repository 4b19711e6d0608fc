/** The Settings section that opens "Recover deleted mail" (urn:sealbox:retention). */
import type { JmapClient } from "../../api/jmap";
import { canRecover, retentionDays } from "../mail/recover-model";
import { button, section } from "./section";

/** The section, or null when the server keeps no deleted mail or nothing can open it. */
export function deletedSection(client: JmapClient, onRecover: (() => void) | undefined): HTMLElement | null {
  if (!onRecover || !canRecover(client)) return null;
  const s = section(
    "Deleted mail",
    "deleted-settings",
    `Deleted mail, including mail emptied from the Trash, is kept for ${retentionDays(client)} days and can be restored until then.`,
  );
  const open = button("Recover deleted mail");
  open.addEventListener("click", () => onRecover());
  s.body.append(open);
  return s.root;
}
