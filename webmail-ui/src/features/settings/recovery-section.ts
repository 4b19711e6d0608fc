/**
 * The recovery code section. The server (/auth/recover) only spends a code:
 * it sets a new password and answers the next code, shown here once. It has
 * no way to show or reissue the current code, so neither does this page.
 */
import type { SettingsApi } from "../../api/settings";
import { field, h } from "../../lib/dom";
import { showSecret } from "./credential-sections";
import { passwordProblem } from "./password-rules";
import { busy, section } from "./section";

export function recoverySection(api: SettingsApi, address: string): HTMLElement {
  const s = section(
    "Recovery code",
    "recovery-settings",
    "If your account has a recovery code, it resets your password and keeps your mail. Using it here sets a new password and replaces the code with a new one, shown only once.",
  );
  const code = field("Current recovery code", { name: "recovery-code", autocomplete: "off", spellcheck: "false", required: true });
  const next = field("Password after recovery", { name: "recovery-password", type: "password", autocomplete: "new-password", required: true, minlength: "12" });
  const repeat = field("Repeat password after recovery", { name: "recovery-repeat", type: "password", autocomplete: "new-password", required: true });
  const submit = h("button", { type: "submit", class: "primary" }, "Replace recovery code");
  const form = h("form", { class: "settings-form", novalidate: true }, code.wrapper, next.wrapper, repeat.wrapper, submit);
  const reveal = h("div", { class: "secret-reveal", hidden: true });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!code.input.value.trim()) return s.say("Enter your recovery code.", "error");
    // The recovery code stands in for the current password in the shared rules.
    const problem = passwordProblem({ current: code.input.value, next: next.input.value, repeat: repeat.input.value }, address);
    if (problem) return s.say(problem, "error");
    void busy(submit, async () => {
      const result = await api.recover(address, code.input.value, next.input.value);
      if (!result.ok) {
        const why = result.error.error === "recoveryUnavailable" ? "This account was created without a recovery code." : result.error.detail;
        return s.say(why, "error");
      }
      form.reset();
      showSecret(reveal, "Your new recovery code (shown only now; store it offline):", result.value, "recovery-code-secret");
      s.say("Password set and recovery code replaced. The old code no longer works.");
    });
  });
  s.body.append(form, reveal);
  return s.root;
}
