import "./styles.css";
import { mountSignIn } from "./features/signin";

const app = document.querySelector<HTMLElement>("#app");
if (!app) throw new Error("Sealbox webmail: #app element missing from index.html");

mountSignIn(app);
