import type uPlot from "uplot";
import type { TrafficPoint } from "../api/types";
import { cssColour } from "./css-colour";
import { timeAxis } from "./time-axis";

/** One of the three traffic measures an instance has a chart of. */
export interface TrafficMetric {
  readonly key: "rps" | "errorRate" | "p99";
  readonly title: string;
  readonly unit: string;
  readonly value: (point: TrafficPoint) => number | null;
  readonly format: (value: number | null) => string;
  /** Custom property in app.css holding the line colour. */
  readonly colourVar: string;
  /** The y axis shows at least 0..minTop, so a flat line reads as small. */
  readonly minTop: number;
}

export const trafficMetrics: readonly TrafficMetric[] = [
  {
    key: "rps",
    title: "Requests per second",
    unit: "req/s",
    value: (p) => p.rps,
    format: (v) => (v === null ? "–" : v < 10 ? v.toFixed(1) : v.toFixed(0)),
    colourVar: "--chart-rps",
    minTop: 1,
  },
  {
    key: "errorRate",
    title: "Error rate",
    unit: "%",
    value: (p) => p.errorRate * 100,
    format: (v) => (v === null ? "–" : `${v.toFixed(v < 1 && v > 0 ? 2 : 0)} %`),
    colourVar: "--chart-errors",
    minTop: 5,
  },
  {
    key: "p99",
    title: "p99 latency",
    unit: "ms",
    value: (p) => p.p99Ms,
    format: (v) => (v === null ? "–" : `${v.toFixed(v < 10 ? 1 : 0)} ms`),
    colourVar: "--chart-latency",
    minTop: 5,
  },
];

/** uPlot's columns for one metric: times in seconds, then the values. */
export function metricData(
  points: readonly TrafficPoint[],
  metric: TrafficMetric,
): uPlot.AlignedData {
  return [points.map((p) => p.t / 1000), points.map((p) => metric.value(p))];
}

/** The newest value of a metric, or null without samples. */
export function latestValue(
  points: readonly TrafficPoint[],
  metric: TrafficMetric,
): number | null {
  const last = points.at(-1);
  return last ? metric.value(last) : null;
}

function yRange(metric: TrafficMetric): uPlot.Range.Function {
  return (_u, _min, max) => [0, Math.max(max ?? 0, metric.minTop) * 1.1];
}

const cache = new Map<string, () => Omit<uPlot.Options, "width" | "height">>();

/** Stable option builders, one per metric and size, for UPlotChart. */
export function metricOptions(
  metric: TrafficMetric,
  size: "spark" | "full",
): () => Omit<uPlot.Options, "width" | "height"> {
  const key = `${metric.key}:${size}`;
  let make = cache.get(key);
  if (!make) {
    make = size === "spark" ? () => sparkOptions(metric) : () => fullOptions(metric);
    cache.set(key, make);
  }
  return make;
}

/**
 * p99 has no value for a step without calls, so sparse traffic leaves
 * lone values between gaps, which uPlot draws as fragments too short to
 * read, or not at all when alone. The charts span the gaps instead, and
 * mark each value without a neighbour with a dot (unless uPlot already
 * shows every point), so a line across a quiet stretch visibly joins two
 * real measurements and a single one still shows.
 */
const isolatedPoints: uPlot.Series.Points.Filter = (u, seriesIdx, shown) => {
  if (shown) return null;
  const values = u.data[seriesIdx] ?? [];
  const isolated: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i] == null) continue;
    if (values[i - 1] == null && values[i + 1] == null) isolated.push(i);
  }
  return isolated.length > 0 ? isolated : null;
};

function sparkOptions(metric: TrafficMetric): Omit<uPlot.Options, "width" | "height"> {
  const stroke = cssColour(metric.colourVar, "#1f5fa8");
  return {
    legend: { show: false },
    cursor: { show: false },
    padding: [2, 2, 2, 2],
    scales: { x: { time: true }, y: { range: yRange(metric) } },
    axes: [{ show: false }, { show: false }],
    series: [
      {},
      {
        stroke,
        width: 1.5,
        fill: `${stroke}22`,
        spanGaps: true,
        points: { show: false, filter: isolatedPoints, size: 4, fill: stroke },
      },
    ],
  };
}

function fullOptions(metric: TrafficMetric): Omit<uPlot.Options, "width" | "height"> {
  const stroke = cssColour(metric.colourVar, "#1f5fa8");
  return {
    scales: { x: { time: true }, y: { range: yRange(metric) } },
    axes: [timeAxis(), { label: metric.unit, size: 56 }],
    series: [
      {},
      {
        label: metric.title,
        stroke,
        width: 2,
        fill: `${stroke}22`,
        spanGaps: true,
        points: { filter: isolatedPoints },
        value: (_u, v) => metric.format(v),
      },
    ],
  };
}
