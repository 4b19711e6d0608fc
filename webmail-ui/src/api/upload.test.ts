import { describe, expect, it } from "vitest";
import { JmapClient, type Session } from "./jmap";
import { uploadBlob } from "./upload";

const session = {
  primaryAccounts: { "urn:ietf:params:jmap:mail": "A1" },
  uploadUrl: "/jmap/upload/{accountId}/",
} as unknown as Session;

/** Just enough of XMLHttpRequest to drive the events by hand. */
class FakeXhr extends EventTarget {
  upload = new EventTarget();
  status = 0;
  responseText = "";
  withCredentials = false;
  opened: [string, string] | undefined;
  headers: Record<string, string> = {};
  sent: unknown;
  open(method: string, url: string): void {
    this.opened = [method, url];
  }
  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }
  send(body: unknown): void {
    this.sent = body;
  }
  abort(): void {
    this.dispatchEvent(new Event("abort"));
  }
  progress(loaded: number, total: number): void {
    const event = Object.assign(new Event("progress"), { lengthComputable: true, loaded, total });
    this.upload.dispatchEvent(event);
  }
  answer(status: number, body: string): void {
    this.status = status;
    this.responseText = body;
    this.dispatchEvent(new Event("load"));
  }
}

describe("uploadBlob", () => {
  it("posts the file to the account's upload URL and reports progress", async () => {
    const xhr = new FakeXhr();
    const seen: number[] = [];
    const file = new Blob(["hello"], { type: "text/plain" });
    const upload = uploadBlob(new JmapClient(session), file, (f) => seen.push(f), () => xhr as unknown as XMLHttpRequest);
    expect(xhr.opened).toEqual(["POST", "/jmap/upload/A1/"]);
    expect(xhr.headers["Content-Type"]).toBe("text/plain");
    expect(xhr.withCredentials).toBe(true);
    expect(xhr.sent).toBe(file);
    xhr.progress(2, 5);
    xhr.answer(201, JSON.stringify({ accountId: "A1", blobId: "B1", type: "text/plain", size: 5 }));
    await expect(upload.done).resolves.toMatchObject({ blobId: "B1", size: 5 });
    expect(seen).toEqual([0.4, 1]);
  });

  it("rejects on an HTTP error and on abort", async () => {
    const failing = new FakeXhr();
    const a = uploadBlob(new JmapClient(session), new Blob(["x"]), undefined, () => failing as unknown as XMLHttpRequest);
    expect(failing.headers["Content-Type"]).toBe("application/octet-stream");
    failing.answer(413, "too big");
    await expect(a.done).rejects.toThrow("HTTP 413");
    const aborted = new FakeXhr();
    const b = uploadBlob(new JmapClient(session), new Blob(["x"]), undefined, () => aborted as unknown as XMLHttpRequest);
    b.abort();
    await expect(b.done).rejects.toMatchObject({ name: "AbortError" });
  });
});
