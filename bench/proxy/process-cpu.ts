import { readFileSync } from "node:fs";

// Clock ticks per second for /proc times; 100 on every Linux build in use.
const ticksPerS = 100;

/** CPU time (user + system) a process has used so far, in ms, read from
 * /proc so that it counts what the process spent whatever else runs. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name, which may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / ticksPerS;
}
