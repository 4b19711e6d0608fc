import { describe, expect, it, vi } from "vitest";
import { JmapClient, type Session } from "../../api/jmap";
import {
  identityPatch,
  loadSearchSettings,
  saveIdentity,
  saveSearchEnabled,
  saveVacation,
  SetRefused,
  vacationPatch,
} from "./account-data";
import { passwordProblem } from "./password-rules";
import { qrMatrix, qrPath } from "./qr";
import { groupSecret, normaliseCode, parseOtpauth } from "./totp-model";

describe("passwordProblem", () => {
  const address = "alice.smith@example.org";
  const ok = "correct-Horse-battery-9";
  it.each([
    [{ current: "", next: ok, repeat: ok }, "Enter your current password."],
    [{ current: "old", next: "short-1", repeat: "short-1" }, "at least 12 characters"],
    [{ current: "old", next: "My-ALICE.SMITH-pass", repeat: "My-ALICE.SMITH-pass" }, "before @"],
    [{ current: ok, next: ok, repeat: ok }, "must differ"],
    [{ current: "old", next: ok, repeat: ok + "x" }, "do not match"],
  ])("refuses %j", (change, reason) => {
    expect(passwordProblem(change, address)).toContain(reason);
  });

  it("lets a good change through to the server", () => {
    expect(passwordProblem({ current: "old", next: ok, repeat: ok }, address)).toBeNull();
  });

  it("ignores a local part too short to be more than a coincidence, like the server", () => {
    expect(passwordProblem({ current: "old", next: "xx-jo-battery-staple", repeat: "xx-jo-battery-staple" }, "jo@x.org")).toBeNull();
  });
});

describe("TOTP helpers", () => {
  it("reads an otpauth URI", () => {
    const info = parseOtpauth("otpauth://totp/Sealbox:alice%40x.org?secret=JBSWY3DPEHPK3PXP&issuer=Sealbox");
    expect(info).toEqual({ label: "Sealbox:alice@x.org", issuer: "Sealbox", secret: "JBSWY3DPEHPK3PXP" });
    expect(parseOtpauth("https://example.org/?secret=X")).toBeNull();
    expect(parseOtpauth("otpauth://totp/x")).toBeNull();
    expect(parseOtpauth("not a uri")).toBeNull();
  });

  it("groups a secret by four and normalises typed codes", () => {
    expect(groupSecret("jbswy3dpehpk3pxp")).toBe("JBSW Y3DP EHPK 3PXP");
    expect(normaliseCode(" 123 456 ")).toBe("123456");
    expect(normaliseCode("123-456")).toBe("123456");
    expect(normaliseCode("12345")).toBeNull();
    expect(normaliseCode("１２３４５６")).toBeNull();
  });
});

describe("QR code", () => {
  it("draws a square matrix with the three finder patterns", () => {
    const matrix = qrMatrix("otpauth://totp/Sealbox:a%40x.org?secret=JBSWY3DPEHPK3PXP&issuer=Sealbox");
    const size = matrix.length;
    expect(size).toBeGreaterThanOrEqual(21);
    expect((size - 17) % 4).toBe(0); // version n has 17 + 4n modules
    expect(matrix.every((row) => row.length === size)).toBe(true);
    for (const [r, c] of [[0, 0], [0, size - 7], [size - 7, 0]] as const) {
      expect(matrix[r]![c]).toBe(true);
      expect(matrix[r + 1]![c + 1]).toBe(false);
      expect(matrix[r + 3]![c + 3]).toBe(true);
    }
    const path = qrPath(matrix);
    expect(path.startsWith("M4 4h1v1h-1z")).toBe(true); // offset by the quiet zone
    expect(path.split("z").length - 1).toBe(matrix.flat().filter(Boolean).length);
  });
});

describe("identities and vacation", () => {
  const session = {
    primaryAccounts: {
      "urn:ietf:params:jmap:mail": "A1",
      "urn:ietf:params:jmap:submission": "A1",
      "urn:ietf:params:jmap:vacationresponse": "A1",
    },
    apiUrl: "/api",
  } as unknown as Session;
  const identity = { id: "I1", name: "Alice", email: "a@x.org", textSignature: "-- A" };

  it("patches only what changed", () => {
    expect(identityPatch(identity, { name: "Alice", textSignature: "-- A" })).toEqual({});
    expect(identityPatch(identity, { name: "Alice S.", textSignature: "-- A" })).toEqual({ name: "Alice S." });
    expect(identityPatch({ ...identity, textSignature: undefined as unknown as string }, { name: "Alice", textSignature: "" })).toEqual({});
  });

  it("sends Identity/set under the submission capability, and nothing when unchanged", async () => {
    const fetchMock = vi.fn(async (_url: string, _init: RequestInit) =>
      new Response(JSON.stringify({ methodResponses: [["Identity/set", { updated: { I1: null } }, "c0"]] })),
    );
    const client = new JmapClient(session, fetchMock);
    expect(await saveIdentity(client, identity, { name: "Alice", textSignature: "-- A" })).toBe(false);
    expect(fetchMock).not.toHaveBeenCalled();
    expect(await saveIdentity(client, identity, { name: "Alice", textSignature: "Cheers" })).toBe(true);
    const body = JSON.parse(fetchMock.mock.calls[0]![1].body as string);
    expect(body.using).toContain("urn:ietf:params:jmap:submission");
    expect(body.methodCalls[0]).toEqual(["Identity/set", { accountId: "A1", update: { I1: { textSignature: "Cheers" } } }, "c0"]);
  });

  it("writes the vacation singleton, blank text as null, and says why a change is refused", async () => {
    expect(vacationPatch({ isEnabled: true, subject: " ", textBody: "Away" })).toEqual({ isEnabled: true, subject: null, textBody: "Away" });
    const fetchMock = vi.fn(async (_url: string, _init: RequestInit) =>
      new Response(JSON.stringify({ methodResponses: [["VacationResponse/set", { notUpdated: { singleton: { type: "invalidProperties", description: "textBody is too long" } } }, "c0"]] })),
    );
    const client = new JmapClient(session, fetchMock);
    const saving = saveVacation(client, { isEnabled: false, subject: "", textBody: "" });
    await expect(saving).rejects.toBeInstanceOf(SetRefused);
    await expect(saving).rejects.toThrow("textBody is too long");
    const body = JSON.parse(fetchMock.mock.calls[0]![1].body as string);
    expect(body.using).toEqual(["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:vacationresponse"]);
  });

  it("reads and flips the search switch under the vendor capability", async () => {
    const fetchMock = vi.fn(async (_url: string, init: RequestInit) => {
      const [[name]] = JSON.parse(init.body as string).methodCalls;
      const result = name === "SearchSettings/get"
        ? { list: [{ id: "singleton", enabled: true, language: "en" }], notFound: [] }
        : { updated: { singleton: null } };
      return new Response(JSON.stringify({ methodResponses: [[name, result, "c0"]] }));
    });
    const client = new JmapClient(session, fetchMock);
    expect(await loadSearchSettings(client)).toEqual({ id: "singleton", enabled: true, language: "en" });
    await saveSearchEnabled(client, false);
    const body = JSON.parse(fetchMock.mock.calls[1]![1].body as string);
    expect(body.using).toEqual(["urn:ietf:params:jmap:core", "urn:sealbox:search"]);
    expect(body.methodCalls[0]).toEqual(["SearchSettings/set", { accountId: "A1", update: { singleton: { enabled: false } } }, "c0"]);
  });
});
