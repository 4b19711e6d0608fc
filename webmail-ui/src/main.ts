import "./styles.css";
import { mountMail } from "./features/mail";
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
    });
  },
});
