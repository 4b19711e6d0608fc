/**
 * The JMAP side of Settings: identities (name, text signature) via
 * Identity/set and the vacation response via VacationResponse/set
 * (RFC 8621 6, 8), and the full-text search switch via SearchSettings/set
 * (urn:sealbox:search). Data code only; the views call these.
 */
import type {
  Id,
  Identity,
  JmapClient,
  PatchObject,
  SearchSettings,
  SetError,
  SetResponse,
  VacationResponse,
} from "../../api/jmap";

export const IDENTITY_PROPERTIES = ["id", "name", "email", "textSignature"];

export interface IdentityEdit {
  name: string;
  textSignature: string;
}

export interface VacationEdit {
  isEnabled: boolean;
  subject: string;
  textBody: string;
}

export class SetRefused extends Error {
  override readonly name = "SetRefused";
  constructor(readonly setError: SetError) {
    super(setError.description ?? `the server refused the change (${setError.type})`);
  }
}

export async function loadIdentities(client: JmapClient): Promise<Identity[]> {
  const got = await client.call("Identity/get", { ids: null, properties: IDENTITY_PROPERTIES });
  return got.list;
}

/** Only the fields that changed, so an untouched field is never rewritten. */
export function identityPatch(before: Identity, edit: IdentityEdit): PatchObject {
  const patch: PatchObject = {};
  if (edit.name !== before.name) patch["name"] = edit.name;
  if (edit.textSignature !== (before.textSignature ?? "")) patch["textSignature"] = edit.textSignature;
  return patch;
}

export async function saveIdentity(client: JmapClient, before: Identity, edit: IdentityEdit): Promise<boolean> {
  const patch = identityPatch(before, edit);
  if (Object.keys(patch).length === 0) return false;
  const set = await client.call("Identity/set", { update: { [before.id]: patch } });
  throwIfRefused(set, before.id);
  return true;
}

export async function loadVacation(client: JmapClient): Promise<VacationResponse | undefined> {
  const got = await client.call("VacationResponse/get", { ids: ["singleton"] });
  return got.list[0];
}

/** Blank subject and text become null: the server then words its default reply. */
export function vacationPatch(edit: VacationEdit): PatchObject {
  return {
    isEnabled: edit.isEnabled,
    subject: edit.subject.trim() === "" ? null : edit.subject,
    textBody: edit.textBody.trim() === "" ? null : edit.textBody,
  };
}

export async function saveVacation(client: JmapClient, edit: VacationEdit): Promise<void> {
  const set = await client.call("VacationResponse/set", { update: { singleton: vacationPatch(edit) } });
  throwIfRefused(set, "singleton");
}

function throwIfRefused(set: SetResponse<unknown>, id: Id): void {
  const refused = set.notUpdated?.[id];
  if (refused) throw new SetRefused(refused);
}

export async function loadSearchSettings(client: JmapClient): Promise<SearchSettings | undefined> {
  const got = await client.call("SearchSettings/get", { ids: ["singleton"] });
  return got.list[0];
}

/** Turns the full-text index on or off (off deletes it; on rebuilds it in the background). */
export async function saveSearchEnabled(client: JmapClient, enabled: boolean): Promise<void> {
  const set = await client.call("SearchSettings/set", { update: { singleton: { enabled } } });
  throwIfRefused(set, "singleton");
}
