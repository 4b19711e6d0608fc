/**
 * JMAP binary upload (RFC 8620 6.1) with progress: XMLHttpRequest, because
 * fetch reports no upload progress.
 */
import { expandTemplate, JmapRequestError, sameOrigin, type Id, type JmapClient } from "./jmap";

export interface UploadResponse {
  accountId: Id;
  blobId: Id;
  type: string;
  size: number;
}

export interface Upload {
  done: Promise<UploadResponse>;
  abort(): void;
}

/** Starts uploading `file`; `onProgress` gets the fraction sent, 0..1. */
export function uploadBlob(
  client: JmapClient,
  file: Blob,
  onProgress: (fraction: number) => void = () => {},
  makeRequest: () => XMLHttpRequest = () => new XMLHttpRequest(),
): Upload {
  const xhr = makeRequest();
  const url = expandTemplate(sameOrigin(client.session.uploadUrl), { accountId: client.accountId() });
  const done = new Promise<UploadResponse>((resolve, reject) => {
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status < 200 || xhr.status >= 300) {
        reject(new JmapRequestError(xhr.status, `The upload failed (HTTP ${xhr.status}).`));
        return;
      }
      try {
        onProgress(1);
        resolve(JSON.parse(xhr.responseText) as UploadResponse);
      } catch {
        reject(new JmapRequestError(xhr.status, "The server's upload answer was not JSON."));
      }
    });
    xhr.addEventListener("error", () => reject(new JmapRequestError(0, "Could not reach the server. Check your connection.")));
    xhr.addEventListener("abort", () => reject(new DOMException("The upload was cancelled.", "AbortError")));
  });
  xhr.open("POST", url);
  xhr.withCredentials = true;
  xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
  xhr.send(file);
  return { done, abort: () => xhr.abort() };
}
