import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AuthError, login, logout, me, parseRetryAfter, submitTotp } from "./auth";

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

/** Stubs global fetch with a mock answering `response` (or running `impl`). */
function stubFetch(impl: Response | (() => Promise<Response>)) {
  const mock = vi.fn<typeof fetch>(typeof impl === "function" ? impl : async () => impl);
  vi.stubGlobal("fetch", mock);
  return mock;
}

/** Storage stand-ins that fail the test if the client ever touches them. */
function storageSpy(): Storage {
  const fail = vi.fn(() => {
    throw new Error("auth client must not use web storage");
  });
  return {
    length: 0,
    clear: fail,
    getItem: fail,
    key: fail,
    removeItem: fail,
    setItem: fail,
  } as Storage;
}

beforeEach(() => {
  vi.stubGlobal("localStorage", storageSpy());
  vi.stubGlobal("sessionStorage", storageSpy());
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("login", () => {
  it("returns the session on success and sends a same-origin JSON POST", async () => {
    const fetchMock = stubFetch(
      json(200, { token: "tok-1", accountId: "A1", username: "alice@example.com" }),
    );

    const result = await login({ username: "alice@example.com", password: "hunter2" });

    expect(result).toEqual({
      status: "signedIn",
      session: { token: "tok-1", accountId: "A1", username: "alice@example.com" },
    });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe("/auth/login");
    expect(init?.method).toBe("POST");
    expect(init?.credentials).toBe("same-origin");
    expect((init?.headers as Record<string, string>)["Content-Type"]).toBe("application/json");
    expect(JSON.parse(init?.body as string)).toEqual({
      username: "alice@example.com",
      password: "hunter2",
    });
    expect(localStorage.setItem).not.toHaveBeenCalled();
    expect(sessionStorage.setItem).not.toHaveBeenCalled();
  });

  it("returns the challenge when the server asks for a TOTP code", async () => {
    stubFetch(json(200, { totpRequired: true, challenge: "ch-42" }));

    const result = await login({ username: "bob", password: "pw" });

    expect(result).toEqual({ status: "totpRequired", challenge: "ch-42" });
  });

  it("turns 401 invalidCredentials into an AuthError with the server's detail", async () => {
    stubFetch(json(401, { error: "invalidCredentials", detail: "Wrong email or password." }));

    const result = await login({ username: "bob", password: "nope" });

    expect(result.status).toBe("failed");
    if (result.status !== "failed") return;
    expect(result.error).toBeInstanceOf(AuthError);
    expect(result.error).toBeInstanceOf(Error);
    expect(result.error.error).toBe("invalidCredentials");
    expect(result.error.detail).toBe("Wrong email or password.");
    expect(result.error.status).toBe(401);
    expect(result.error.retryAfter).toBeUndefined();
  });

  it("parses retryAfter from a 429 body", async () => {
    stubFetch(
      json(
        429,
        { error: "tooManyAttempts", detail: "Too many attempts.", retryAfter: 30 },
        { "Retry-After": "30" },
      ),
    );

    const result = await login({ username: "bob", password: "pw" });

    expect(result.status).toBe("failed");
    if (result.status !== "failed") return;
    expect(result.error.error).toBe("tooManyAttempts");
    expect(result.error.detail).toBe("Too many attempts.");
    expect(result.error.retryAfter).toBe(30);
    expect(result.error.status).toBe(429);
  });

  it("falls back to the Retry-After header when the 429 body has no retryAfter", async () => {
    stubFetch(json(429, { error: "tooManyAttempts", detail: "Slow down." }, { "Retry-After": "120" }));

    const result = await login({ username: "bob", password: "pw" });

    expect(result.status === "failed" && result.error.retryAfter).toBe(120);
  });

  it("reports a network error without throwing", async () => {
    stubFetch(() => Promise.reject(new TypeError("Failed to fetch")));

    const result = await login({ username: "bob", password: "pw" });

    expect(result.status).toBe("failed");
    if (result.status !== "failed") return;
    expect(result.error.error).toBe("networkError");
    expect(result.error.status).toBeUndefined();
    expect(result.error.detail).toMatch(/could not reach the server/i);
    expect(result.error.cause).toBeInstanceOf(TypeError);
  });

  it("passes 400 invalidRequest through", async () => {
    stubFetch(json(400, { error: "invalidRequest", detail: "username is required" }));

    const result = await login({ username: "", password: "pw" });

    expect(result.status === "failed" && result.error.error).toBe("invalidRequest");
    expect(result.status === "failed" && result.error.detail).toBe("username is required");
  });

  it("reports a malformed success body as badResponse", async () => {
    stubFetch(new Response("<html>oops</html>", { status: 200 }));

    const result = await login({ username: "bob", password: "pw" });

    expect(result.status === "failed" && result.error.error).toBe("badResponse");
  });

  it("handles an error status without a JSON body", async () => {
    stubFetch(new Response("Bad gateway", { status: 502 }));

    const result = await login({ username: "bob", password: "pw" });

    expect(result.status === "failed" && result.error.error).toBe("serverError");
    expect(result.status === "failed" && result.error.status).toBe(502);
  });
});

describe("submitTotp", () => {
  it("posts the challenge and code and returns the session", async () => {
    const fetchMock = stubFetch(json(200, { token: "tok-2", accountId: "A2", username: "bob" }));

    const result = await submitTotp({ challenge: "ch-42", code: "123456" });

    expect(result).toEqual({
      status: "signedIn",
      session: { token: "tok-2", accountId: "A2", username: "bob" },
    });
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe("/auth/totp");
    expect(init?.credentials).toBe("same-origin");
    expect(JSON.parse(init?.body as string)).toEqual({ challenge: "ch-42", code: "123456" });
  });

  it("returns invalidTotp on 401", async () => {
    stubFetch(json(401, { error: "invalidTotp", detail: "That code is not valid." }));

    const result = await submitTotp({ challenge: "ch-42", code: "000000" });

    expect(result.status === "failed" && result.error.error).toBe("invalidTotp");
    expect(result.status === "failed" && result.error.detail).toBe("That code is not valid.");
  });
});

describe("me", () => {
  it("returns the account when the cookie session is valid", async () => {
    const fetchMock = stubFetch(json(200, { accountId: "A1", username: "alice" }));

    const result = await me();

    expect(result).toEqual({ status: "signedIn", account: { accountId: "A1", username: "alice" } });
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe("/auth/me");
    expect(init?.method).toBe("GET");
    expect(init?.credentials).toBe("same-origin");
    expect(init?.body).toBeUndefined();
  });

  it("returns signedOut on 401", async () => {
    stubFetch(new Response(null, { status: 401 }));

    expect(await me()).toEqual({ status: "signedOut" });
  });
});

describe("logout", () => {
  it("returns signedOut on 204", async () => {
    const fetchMock = stubFetch(new Response(null, { status: 204 }));

    expect(await logout()).toEqual({ status: "signedOut" });
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe("/auth/logout");
    expect(init?.method).toBe("POST");
    expect(init?.credentials).toBe("same-origin");
  });

  it("reports a network error", async () => {
    stubFetch(() => Promise.reject(new TypeError("Failed to fetch")));

    const result = await logout();

    expect(result.status === "failed" && result.error.error).toBe("networkError");
  });
});

describe("parseRetryAfter", () => {
  it("parses delta-seconds", () => {
    expect(parseRetryAfter("45")).toBe(45);
    expect(parseRetryAfter(" 7 ")).toBe(7);
  });

  it("parses an HTTP date relative to now", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:01:30 GMT", now)).toBe(90);
    expect(parseRetryAfter("Tue, 31 Dec 2024 23:59:00 GMT", now)).toBe(0);
  });

  it("returns undefined for a missing or invalid header", () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});
