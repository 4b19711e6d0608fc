/**
 * HTML mail made safe to show: DOMPurify strips scripts and event handlers,
 * remote images are held back until the reader allows them, and the result
 * is a complete document for a sandboxed iframe (no scripts, no same-origin)
 * whose own CSP blocks anything that still points at a remote server.
 */
import DOMPurify from "dompurify";

export interface SanitizedMail {
  /** The iframe's srcdoc. */
  document: string;
  /** How many remote images were held back. */
  blockedImages: number;
}

const REMOTE = /^(?:https?:)?\/\//i;
const CSS_URL = /url\s*\(/i;

export function sanitizeMail(html: string, allowRemote: boolean): SanitizedMail {
  let blocked = 0;
  const purify = DOMPurify();
  purify.addHook("afterSanitizeAttributes", (node) => {
    if (!(node instanceof Element)) return;
    if (node.tagName === "A") {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    }
    if (allowRemote) return;
    for (const name of ["src", "srcset", "background", "poster"]) {
      const value = node.getAttribute(name);
      if (value && (REMOTE.test(value) || name === "srcset")) {
        node.removeAttribute(name);
        if (node.tagName === "IMG") {
          blocked += 1;
          node.setAttribute("alt", node.getAttribute("alt") || "[image]");
        }
      }
    }
    const style = node.getAttribute("style");
    if (style && CSS_URL.test(style)) {
      node.setAttribute("style", style.replace(/url\s*\([^)]*\)/gi, "none"));
    }
  });
  const body = purify.sanitize(html, {
    FORBID_TAGS: ["form", "input", "button", "textarea", "select", "base", "link", "meta"],
    FORBID_ATTR: ["action", "formaction"],
    WHOLE_DOCUMENT: false,
  });
  const images = allowRemote ? "data: https: http:" : "data:";
  const csp = `default-src 'none'; img-src ${images}; style-src 'unsafe-inline'; font-src data:`;
  const document =
    `<!doctype html><html><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${csp}">` +
    `<meta name="referrer" content="no-referrer">` +
    `<style>html{color-scheme:light}body{margin:0;padding:12px 16px;font:15px/1.5 system-ui,sans-serif;` +
    `color:#1b1f24;background:#fff;overflow-wrap:anywhere}img{max-width:100%;height:auto}` +
    `pre{white-space:pre-wrap}table{max-width:100%}</style></head><body>${body}</body></html>`;
  return { document, blockedImages: blocked };
}
