import { describe, expect, it } from "vitest";
import { parseStateChange } from "./state-change";

describe("parseStateChange", () => {
  it("parses StateChange push events and rejects anything else", () => {
    expect(parseStateChange('{"@type":"StateChange","changed":{"A1":{"Email":"5"}}}')?.changed).toEqual({
      A1: { Email: "5" },
    });
    expect(parseStateChange('{"@type":"Other"}')).toBeNull();
    expect(parseStateChange("not json")).toBeNull();
  });
});
