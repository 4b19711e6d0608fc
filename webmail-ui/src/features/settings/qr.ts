/**
 * QR codes drawn as inline SVG from qrcode-generator's module matrix: no
 * network, no innerHTML (the page's CSP allows only its own scripts).
 */
import qrcode from "qrcode-generator";

const SVG = "http://www.w3.org/2000/svg";

/** The dark/light modules of a QR code for `text` (error correction M, size chosen to fit). */
export function qrMatrix(text: string): boolean[][] {
  const code = qrcode(0, "M");
  code.addData(text, "Byte");
  code.make();
  const size = code.getModuleCount();
  return Array.from({ length: size }, (_, row) => Array.from({ length: size }, (_, col) => code.isDark(row, col)));
}

/** One <path> of unit squares, with a quiet zone of 4 modules as the standard asks. */
export function qrPath(matrix: boolean[][]): string {
  const parts: string[] = [];
  matrix.forEach((cells, row) =>
    cells.forEach((dark, col) => {
      if (dark) parts.push(`M${col + 4} ${row + 4}h1v1h-1z`);
    }),
  );
  return parts.join("");
}

export function qrSvg(text: string, label: string): SVGSVGElement {
  const matrix = qrMatrix(text);
  const size = matrix.length + 8;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("class", "qr");
  const background = document.createElementNS(SVG, "rect");
  background.setAttribute("width", String(size));
  background.setAttribute("height", String(size));
  background.setAttribute("fill", "#fff");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", qrPath(matrix));
  path.setAttribute("fill", "#000");
  svg.append(background, path);
  return svg;
}
