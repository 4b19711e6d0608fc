import "./styles.css";
import { mountMail } from "./features/mail";
import { renderPasskeys } from "./features/passkeys";
import { mountSignIn } from "./features/signin";

const app = document.querySelector<HTMLElement>("#app");
if (!app) throw new Error("Sealbox webmail: #app element missing from index.html");

const signIn = mountSignIn(app, {
  onSessionChange(user) {
    if (!user) return;
    const page = document.querySelector("main.page");
    if (!page) return;
    // The sign-in card gives way to the mail client for the rest of this page's life.
    queueMicrotask(() => {
      signIn.destroy();
      mountMail(page, user.username);
      // Temporary route until Settings mounts it in #passkeys-settings: /webmail/#passkeys.
      if (location.hash === "#passkeys" && !document.getElementById("passkeys-settings")) {
        const section = document.createElement("aside");
        section.id = "passkeys-settings";
        document.body.append(section);
        renderPasskeys(section);
      }
    });
  },
});
