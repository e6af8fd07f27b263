import type uPlot from "uplot";

const clock = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
const clockWithSeconds = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

/**
 * The x axis of every time chart: 24-hour clock times like the tables
 * (uPlot's default is a 12-hour clock with a date line that crowds narrow
 * charts), seconds only when ticks are less than a minute apart, and
 * ticks far enough apart that labels never run into each other.
 */
export function timeAxis(): uPlot.Axis {
  return {
    space: 70,
    values: (_u, splits, _axis, _space, increment) => {
      const format = increment < 60 ? clockWithSeconds : clock;
      return splits.map((seconds) => format.format(new Date(seconds * 1000)));
    },
  };
}
