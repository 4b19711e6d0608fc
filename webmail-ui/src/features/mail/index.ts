export { mountMail } from "./app";
export type { MailHandle } from "./app";
