import type { TrafficPoint } from "../api/types";
import {
  latestValue,
  metricData,
  metricOptions,
  type TrafficMetric,
} from "../charts/traffic-metrics";
import { UPlotChart } from "../charts/uplot-chart";

interface TrafficSparkProps {
  readonly metric: TrafficMetric;
  readonly points: readonly TrafficPoint[];
  /** Whose traffic, for the chart's accessible name. */
  readonly subject: string;
}

/** A small line of one metric with its newest value written beside it. */
export function TrafficSpark({ metric, points, subject }: TrafficSparkProps) {
  const latest = metric.format(latestValue(points, metric));
  return (
    <div class="spark">
      <UPlotChart
        makeOptions={metricOptions(metric, "spark")}
        data={metricData(points, metric)}
        width={112}
        height={30}
        label={`${metric.title} of ${subject}, last minutes; now ${latest}`}
      />
      <span class="spark-value">{latest}</span>
    </div>
  );
}
