export { mountSettings, type SettingsHandle, type SettingsOptions } from "./settings";
