import { describe, expect, it, vi } from "vitest";
import { SettingsApi } from "./settings";

function answer(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

describe("SettingsApi", () => {
  it("lists, creates and revokes app passwords", async () => {
    const fetchMock = vi
      .fn<(input: string, init: RequestInit) => Promise<Response>>()
      .mockResolvedValueOnce(answer(200, { appPasswords: [{ id: "p1", name: "Phone", created: "2026-12-01T10:00:00Z", lastUsedDay: null }] }))
      .mockResolvedValueOnce(answer(201, { id: "p2", name: "Laptop", created: "2026-12-02T10:00:00Z", secret: "abcd-efgh" }))
      .mockResolvedValueOnce(answer(204));
    const api = new SettingsApi(fetchMock);
    const listed = await api.listAppPasswords();
    expect(listed).toEqual({ ok: true, value: [{ id: "p1", name: "Phone", created: "2026-12-01T10:00:00Z", lastUsedDay: null }] });
    const created = await api.createAppPassword("Laptop");
    expect(created.ok && created.value.secret).toBe("abcd-efgh");
    expect(await api.revokeAppPassword("p/2")).toEqual({ ok: true, value: undefined });
    expect(fetchMock.mock.calls.map(([url, init]) => `${init.method} ${url}`)).toEqual([
      "GET /auth/app-passwords",
      "POST /auth/app-passwords",
      "DELETE /auth/app-passwords/p%2F2",
    ]);
    expect(fetchMock.mock.calls[1]![1].body).toBe('{"name":"Laptop"}');
    expect(fetchMock.mock.calls[1]![1].credentials).toBe("same-origin");
  });

  it("spends a recovery code for a new password and returns the next code", async () => {
    const fetchMock = vi
      .fn<(input: string, init: RequestInit) => Promise<Response>>()
      .mockResolvedValueOnce(answer(200, { recoveryCode: "NEXT-CODE" }))
      .mockResolvedValueOnce(answer(409, { error: "recoveryUnavailable", detail: "no recovery" }));
    const api = new SettingsApi(fetchMock);
    expect(await api.recover("a@x.org", " OLD-CODE ", "correct-horse-9")).toEqual({ ok: true, value: "NEXT-CODE" });
    expect(fetchMock.mock.calls[0]![0]).toBe("/auth/recover");
    expect(JSON.parse(fetchMock.mock.calls[0]![1].body as string)).toEqual({
      username: "a@x.org",
      recoveryCode: "OLD-CODE",
      newPassword: "correct-horse-9",
    });
    const refused = await api.recover("a@x.org", "x", "correct-horse-9");
    expect(!refused.ok && refused.error.error).toBe("recoveryUnavailable");
  });

  it("passes the server's reason through, e.g. a weak new password", async () => {
    const api = new SettingsApi(async () => answer(400, { error: "weakPassword", detail: "This is a top-10 common password." }));
    const result = await api.changePassword("old", "password1234");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.error).toBe("weakPassword");
      expect(result.error.detail).toBe("This is a top-10 common password.");
    }
  });

  it("reports throttling with its wait, and a dropped connection", async () => {
    const throttled = await new SettingsApi(async () => answer(429, { error: "tooManyAttempts", detail: "wait", retryAfter: 42 })).confirmTotp("123 456");
    expect(!throttled.ok && throttled.error.retryAfter).toBe(42);
    const offline = await new SettingsApi(async () => Promise.reject(new TypeError("fetch failed"))).totpStatus();
    expect(!offline.ok && offline.error.error).toBe("networkError");
  });

  it("sends codes without spaces and checks the shapes it gets back", async () => {
    const fetchMock = vi
      .fn<(input: string, init: RequestInit) => Promise<Response>>()
      .mockResolvedValueOnce(answer(200, { otpauthUri: "otpauth://totp/x?secret=AB", secret: "AB" }))
      .mockResolvedValueOnce(answer(204))
      .mockResolvedValueOnce(answer(200, { enabled: "yes" }));
    const api = new SettingsApi(fetchMock);
    expect(await api.enrollTotp()).toEqual({ ok: true, value: { otpauthUri: "otpauth://totp/x?secret=AB", secret: "AB" } });
    await api.disableTotp(" 123 456 ");
    expect(fetchMock.mock.calls[1]![1].body).toBe('{"code":"123456"}');
    const odd = await api.totpStatus();
    expect(!odd.ok && odd.error.error).toBe("badResponse");
  });
});
