/** The Settings section listing senders whose remote images always load, each removable. */
import type { ImageSenders } from "../mail/image-senders";
import { h } from "../../lib/dom";
import { busy, button, section } from "./section";

/** The section, or null when the server keeps no such list. */
export function imagesSection(senders: ImageSenders | undefined): HTMLElement | null {
  if (!senders?.supported) return null;
  const s = section(
    "Remote images",
    "images-settings",
    "Remote images can tell a sender when you read their mail, so they are blocked unless you allow them. Mail from these senders always shows its images.",
  );
  const list = h("ul", { class: "settings-list", "aria-label": "Senders whose images are shown" });
  const draw = (): void => {
    if (!senders.list.length) {
      list.replaceChildren(h("li", { class: "muted" }, "No senders yet. Choose “Always show images” on a message to add one."));
      return;
    }
    list.replaceChildren(
      ...senders.list.map((address) => {
        const remove = button("Remove", { "aria-label": `Stop showing images from ${address}` });
        remove.addEventListener("click", () => {
          void busy(remove, async () => {
            try {
              await senders.set(address, false);
              s.say(`Images from ${address} are blocked again.`);
              draw();
            } catch (error) {
              s.say(error instanceof Error ? error.message : String(error), "error");
            }
          });
        });
        return h("li", {}, h("span", {}, address), remove);
      }),
    );
  };
  void senders.load().then(draw, (error: unknown) => s.say(error instanceof Error ? error.message : String(error), "error"));
  draw();
  s.body.append(list);
  return s.root;
}
