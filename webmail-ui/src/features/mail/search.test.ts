import { describe, expect, it } from "vitest";
import { isEmptySearch, parseSearch, searchFilter } from "./search";

describe("parseSearch", () => {
  const cases: [string, Partial<ReturnType<typeof parseSearch>>][] = [
    ["", {}],
    ["hello world", { text: ["hello", "world"] }],
    ["from:bob@example.org", { from: ["bob@example.org"] }],
    ['subject:"budget plan" to:alice', { subject: ["budget plan"], to: ["alice"] }],
    ["has:attachment report", { hasAttachment: true, text: ["report"] }],
    ["FROM:Bob Subject:x", { from: ["Bob"], subject: ["x"] }],
    ['subject:"unterminated quote', { subject: ["unterminated quote"] }],
    ["label:work", { text: ["label:work"] }],
    ["has:nothing", { text: ["has:nothing"] }],
    ['"exact phrase"', { text: ["exact phrase"] }],
  ];
  it.each(cases)("%s", (query, expected) => {
    expect(parseSearch(query)).toEqual({ from: [], to: [], subject: [], hasAttachment: false, text: [], ...expected });
  });

  it("knows an empty search", () => {
    expect(isEmptySearch(parseSearch("   "))).toBe(true);
    expect(isEmptySearch(parseSearch("has:attachment"))).toBe(false);
  });
});

describe("searchFilter", () => {
  it("ANDs every term with the mailbox, free words as one text condition", () => {
    expect(searchFilter(parseSearch('from:bob to:y subject:"a b" has:attachment lunch noon'), "inbox")).toEqual({
      operator: "AND",
      conditions: [
        { inMailbox: "inbox" },
        { from: "bob" },
        { to: "y" },
        { subject: "a b" },
        { hasAttachment: true },
        { text: "lunch noon" },
      ],
    });
  });

  it("is a single condition when there is only one", () => {
    expect(searchFilter(parseSearch(""), "inbox")).toEqual({ inMailbox: "inbox" });
    expect(searchFilter(parseSearch("from:bob"), null)).toEqual({ from: "bob" });
  });

  it("without the full-text index, free words match subject or sender", () => {
    expect(searchFilter(parseSearch("lunch"), "inbox", false)).toEqual({
      operator: "AND",
      conditions: [{ inMailbox: "inbox" }, { operator: "OR", conditions: [{ subject: "lunch" }, { from: "lunch" }] }],
    });
  });
});
