import uPlot from "uplot";
import { type LogLevel, type LogStats, logLevels } from "../api/types";
import { toEpochMs } from "../format";
import { cssColour } from "./css-colour";
import { timeAxis } from "./time-axis";
import { UPlotChart } from "./uplot-chart";

/**
 * Bars are stacked by drawing, for each level, a bar from zero to the sum
 * of that level and every level below it; the highest sum is drawn first,
 * so each level's own count is the band between two sums. Series are in
 * that drawing order: fatal (the total) first, trace last.
 */
const drawOrder: readonly LogLevel[] = [...logLevels].reverse();

function stackedData(stats: LogStats): uPlot.AlignedData {
  const times = stats.buckets.map((b) => toEpochMs(b.start) / 1000);
  const columns = drawOrder.map((level) =>
    stats.buckets.map((bucket) => {
      const upTo = logLevels.slice(0, logLevels.indexOf(level) + 1);
      return upTo.reduce((sum, l) => sum + (bucket.counts[l] ?? 0), 0);
    }),
  );
  return [times, ...columns];
}

/** Half a bucket of room on either side, so the first and last bars,
 * centred on their bucket, are not cut in half by the plot's edges. */
const paddedTimeRange: uPlot.Range.Function = (u, min, max) => {
  const times = u.data[0];
  const step = times.length > 1 ? (times[1] ?? 0) - (times[0] ?? 0) : 60;
  return [min - step / 2, max + step / 2];
};

function histogramOptions(): Omit<uPlot.Options, "width" | "height"> {
  const bars = uPlot.paths.bars?.({ size: [0.9, 40], align: 0 });
  return {
    legend: { show: false },
    cursor: { points: { show: false } },
    scales: {
      x: { time: true, range: paddedTimeRange },
      y: { range: (_u, _min, max) => [0, Math.max(max, 1)] },
    },
    axes: [timeAxis(), { label: "records", size: 56 }],
    series: [
      {},
      ...drawOrder.map((level) => {
        const colour = cssColour(`--level-${level}`, "#888888");
        return {
          label: level,
          stroke: colour,
          fill: colour,
          width: 0,
          paths: bars,
          points: { show: false },
        };
      }),
    ],
  };
}

/** Log volume per time bucket, stacked by level, with the totals in words. */
export function LevelHistogram({ stats }: { readonly stats: LogStats }) {
  const totals = logLevels.map((level) => ({
    level,
    count: stats.buckets.reduce((sum, b) => sum + (b.counts[level] ?? 0), 0),
  }));
  const summary = totals.map((t) => `${t.level} ${t.count}`).join(", ");
  return (
    <figure class="histogram">
      <UPlotChart
        makeOptions={histogramOptions}
        data={stackedData(stats)}
        height={140}
        label={`Log records per ${Math.round(stats.bucketMs / 1000)} s by level: ${summary}`}
      />
      <figcaption>
        <ul class="level-totals">
          {totals.map((t) => (
            <li key={t.level}>
              <span class={`swatch level-${t.level}`} aria-hidden="true" />
              <span class={`level level-${t.level}`}>{t.level}</span> {t.count}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
