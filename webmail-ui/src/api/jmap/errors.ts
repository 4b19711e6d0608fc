/**
 * The capability URNs this client uses and the two ways a JMAP request fails: one
 * method's error response (RFC 8620 3.6.2) or the whole request (HTTP, network).
 */

export const CAPABILITIES = {
  core: "urn:ietf:params:jmap:core",
  mail: "urn:ietf:params:jmap:mail",
  submission: "urn:ietf:params:jmap:submission",
  vacation: "urn:ietf:params:jmap:vacationresponse",
  search: "urn:sealbox:search",
  webmail: "urn:sealbox:webmail",
  retention: "urn:sealbox:retention",
} as const;

/** A method-level error response (RFC 8620 3.6.2), e.g. cannotCalculateChanges. */
export class JmapMethodError extends Error {
  constructor(
    readonly type: string,
    readonly method: string,
    description?: string,
  ) {
    super(description ? `${method}: ${type}: ${description}` : `${method}: ${type}`);
    this.name = "JmapMethodError";
  }
}

/** The whole request failed: HTTP status, or the network. `status` 401 means signed out. */
export class JmapRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "JmapRequestError";
  }
}

