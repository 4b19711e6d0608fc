/** Settings sections backed by JMAP: identities and the vacation response. */
import type { Identity, JmapClient } from "../../api/jmap";
import { field, h, textareaField, uid } from "../../lib/dom";
import { loadIdentities, loadVacation, saveIdentity, saveVacation } from "./account-data";
import { busy, section } from "./section";

function failure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function identitySection(client: JmapClient): HTMLElement {
  const s = section("Identities", "identity-settings", "The name and signature your sent mail carries.");
  const forms = h("div", { class: "identity-list" });

  function identityForm(identity: Identity): HTMLFormElement {
    let saved = identity;
    const name = field(`Name for ${identity.email}`, { name: "identity-name", value: identity.name, maxlength: "256" });
    const signature = textareaField(`Signature for ${identity.email}`, { name: "identity-signature", rows: "4" });
    signature.input.value = identity.textSignature ?? "";
    const submit = h("button", { type: "submit", class: "primary" }, "Save identity");
    const form = h("form", { class: "settings-form", "data-identity": identity.id }, h("h3", {}, identity.email), name.wrapper, signature.wrapper, submit);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const edit = { name: name.input.value, textSignature: signature.input.value };
      void busy(submit, async () => {
        try {
          const changed = await saveIdentity(client, saved, edit);
          saved = { ...saved, ...edit };
          s.say(changed ? `Saved ${identity.email}.` : "Nothing changed.");
        } catch (error) {
          s.say(failure(error), "error");
        }
      });
    });
    return form;
  }

  void loadIdentities(client).then(
    (list) => forms.replaceChildren(...list.map(identityForm)),
    (error: unknown) => s.say(failure(error), "error"),
  );
  s.body.append(forms);
  return s.root;
}

export function vacationSection(client: JmapClient): HTMLElement {
  const s = section(
    "Vacation response",
    "vacation-settings",
    "An automatic reply while you are away. Its text is readable by the server while it is on, since replies are sent without your key.",
  );
  const toggleId = uid("vacation-enabled");
  const enabled = h("input", { type: "checkbox", id: toggleId, name: "vacation-enabled" });
  const toggle = h("div", { class: "field checkbox" }, enabled, h("label", { for: toggleId }, "Send a vacation response"));
  const subject = field("Vacation subject", { name: "vacation-subject", maxlength: "998" });
  const text = textareaField("Vacation message", { name: "vacation-text", rows: "5" });
  const submit = h("button", { type: "submit", class: "primary" }, "Save vacation response");
  const form = h("form", { class: "settings-form" }, toggle, subject.wrapper, text.wrapper, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const edit = { isEnabled: enabled.checked, subject: subject.input.value, textBody: text.input.value };
    void busy(submit, async () => {
      try {
        await saveVacation(client, edit);
        s.say(edit.isEnabled ? "Vacation response is on." : "Vacation response is off.");
      } catch (error) {
        s.say(failure(error), "error");
      }
    });
  });
  void loadVacation(client).then(
    (vacation) => {
      enabled.checked = vacation?.isEnabled ?? false;
      subject.input.value = vacation?.subject ?? "";
      text.input.value = vacation?.textBody ?? "";
    },
    (error: unknown) => s.say(failure(error), "error"),
  );
  s.body.append(form);
  return s.root;
}
