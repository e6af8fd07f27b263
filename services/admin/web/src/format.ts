/** Time of day, with seconds, in the browser's zone. */
export function formatTime(iso: string | number): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "–";
  return date.toLocaleTimeString(undefined, { hour12: false });
}

/** Date and time, with seconds, in the browser's zone. */
export function formatDateTime(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined || iso === "") return "–";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "–";
  return date.toLocaleString(undefined, { hour12: false });
}

/** "75 %", or "–" for no value. */
export function formatShare(share: number | undefined): string {
  return share === undefined ? "–" : `${Math.round(share * 100)} %`;
}

/** Epoch milliseconds of a timestamp the server sent as ISO or as a number. */
export function toEpochMs(value: string | number): number {
  return typeof value === "number" ? value : Date.parse(value);
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** A log record's time: local "YYYY-MM-DD HH:MM:SS.mmm", since records
 * often share a second. */
export function formatLogTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `${day} ${time}.${pad(d.getMilliseconds(), 3)}`;
}
