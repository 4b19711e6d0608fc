/** Tiny DOM helpers so feature code stays declarative without a UI framework. */

type Attrs = Record<string, string | boolean | undefined>;
type Child = Node | string | null | undefined | false;

/**
 * Creates an element. String attribute values are set as attributes; `true`
 * sets a boolean attribute, `false`/`undefined` leave it out. Children that
 * are strings become text nodes (never parsed as HTML).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

let nextId = 0;

/** A document-unique id, for label/input and aria-describedby pairs. */
export function uid(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** A labelled form field: <div class="field"><label/><input/></div>. */
export function field(
  label: string,
  inputAttrs: Attrs & { name: string },
): { wrapper: HTMLDivElement; input: HTMLInputElement } {
  const id = uid(inputAttrs.name);
  const input = h("input", { id, ...inputAttrs });
  const wrapper = h("div", { class: "field" }, h("label", { for: id }, label), input);
  return { wrapper, input };
}

/** A labelled multi-line field: <div class="field"><label/><textarea/></div>. */
export function textareaField(
  label: string,
  attrs: Attrs & { name: string },
): { wrapper: HTMLDivElement; input: HTMLTextAreaElement } {
  const id = uid(attrs.name);
  const input = h("textarea", { id, ...attrs });
  const wrapper = h("div", { class: "field" }, h("label", { for: id }, label), input);
  return { wrapper, input };
}

/** Text only screen readers announce (e.g. " unread" after a count). */
export function srOnly(text: string): HTMLSpanElement {
  return h("span", { class: "sr-only" }, text);
}
