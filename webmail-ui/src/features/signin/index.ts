export { mountSignIn } from "./signin";
export type { AuthApi, CurrentUser, SignInHandle, SignInOptions } from "./signin";
