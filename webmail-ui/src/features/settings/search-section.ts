/** The Settings section for the full-text search switch (JMAP urn:sealbox:search). */
import { CAPABILITIES, type JmapClient } from "../../api/jmap";
import { h, uid } from "../../lib/dom";
import { loadSearchSettings, saveSearchEnabled } from "./account-data";
import { busy, section } from "./section";

/** The section, or null when the server offers no search settings. */
export function searchSection(client: JmapClient): HTMLElement | null {
  if (!(CAPABILITIES.search in client.session.capabilities)) return null;
  const s = section(
    "Search",
    "search-settings",
    "Full-text search keeps an encrypted index of your mail. Turning it off deletes the index; subject, sender and date filters still work.",
  );
  const toggleId = uid("search-enabled");
  const enabled = h("input", { type: "checkbox", id: toggleId, name: "search-enabled", disabled: true });
  const toggle = h("div", { class: "field checkbox" }, enabled, h("label", { for: toggleId }, "Search the text of my mail"));
  const submit = h("button", { type: "submit", class: "primary" }, "Save search setting");
  const form = h("form", { class: "settings-form" }, toggle, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const on = enabled.checked;
    void busy(submit, async () => {
      try {
        await saveSearchEnabled(client, on);
        s.say(on ? "Search is on. Older mail is indexed in the background." : "Search is off and its index is deleted.");
      } catch (error) {
        s.say(error instanceof Error ? error.message : String(error), "error");
      }
    });
  });
  void loadSearchSettings(client).then(
    (settings) => {
      enabled.checked = settings?.enabled ?? false;
      enabled.disabled = false;
    },
    (error: unknown) => s.say(error instanceof Error ? error.message : String(error), "error"),
  );
  s.body.append(form);
  return s.root;
}
