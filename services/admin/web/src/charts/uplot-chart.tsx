import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

interface UPlotChartProps {
  /** Builds the chart's options; keep it stable (module level or memoised),
   * since a new function rebuilds the chart. */
  readonly makeOptions: () => Omit<uPlot.Options, "width" | "height">;
  readonly data: uPlot.AlignedData;
  readonly height: number;
  /** Fixed width in CSS pixels; without it the chart follows its container. */
  readonly width?: number;
  /** What the chart shows, for screen readers (the canvas says nothing). */
  readonly label: string;
  readonly class?: string;
}

/** A uPlot chart owned by a Preact component: built on mount, fed new data
 * with setData, resized with its container, destroyed on unmount. */
export function UPlotChart(props: UPlotChartProps) {
  const { makeOptions, data, height, width } = props;
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const latestData = useRef(data);
  latestData.current = data;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const size = { width: width ?? Math.max(element.clientWidth, 200), height };
    const chart = new uPlot({ ...makeOptions(), ...size }, latestData.current, element);
    plot.current = chart;
    const resize = new ResizeObserver(() => {
      const next = Math.max(element.clientWidth, 200);
      if (next !== chart.width) chart.setSize({ width: next, height });
    });
    if (width === undefined) resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = undefined;
    };
  }, [makeOptions, height, width]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const className = props.class ? `chart ${props.class}` : "chart";
  return <div ref={container} class={className} role="img" aria-label={props.label} />;
}
