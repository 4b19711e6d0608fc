import { describe, expect, it } from "vitest";
import { headerText } from "./format";

describe("headerText", () => {
  it("keeps each field as it arrived, folded lines included", () => {
    const text = headerText([
      { name: "Received", value: " from mx.example.net\r\n\tby sealbox; Tue, 1 Dec 2026" },
      { name: "Subject", value: " <b>not markup</b>" },
    ]);
    expect(text).toBe("Received: from mx.example.net\n\tby sealbox; Tue, 1 Dec 2026\nSubject: <b>not markup</b>");
  });

  it("is empty for no fields", () => {
    expect(headerText([])).toBe("");
  });
});
