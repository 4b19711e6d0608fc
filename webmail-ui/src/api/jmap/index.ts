/**
 * Typed JMAP client (RFC 8620 core, RFC 8621 mail) for the Sealbox server: one import
 * for the data types, the method map, the client and its errors.
 */
export * from "./batch";
export * from "./client";
export * from "./errors";
export * from "./methods";
export * from "./shapes";
export * from "./state-change";
export * from "./types";
