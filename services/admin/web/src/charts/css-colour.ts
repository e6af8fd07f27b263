/** A colour defined as a custom property in app.css, so the canvas charts
 * and the stylesheet share one palette. */
export function cssColour(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value === "" ? fallback : value;
}
