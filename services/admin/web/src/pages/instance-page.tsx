import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError, api, describeError } from "../api/api-client";
import type { Instance, InstanceDetail } from "../api/types";
import { metricData, metricOptions, trafficMetrics } from "../charts/traffic-metrics";
import { UPlotChart } from "../charts/uplot-chart";
import { HealthBadge, LastCheck, StateBadges } from "../components/health-badges";
import { Link } from "../components/link";
import { formatDateTime } from "../format";
import { InstanceControls } from "./instance-controls";
import { InstanceLogs } from "./instance-logs";

const refreshMs = 3_000;

type Loaded =
  | { readonly state: "loading" }
  | { readonly state: "missing" }
  | { readonly state: "ok"; readonly detail: InstanceDetail };

/** One instance: what the registry knows, its traffic, health, logs and controls. */
export function InstancePage({ id }: { readonly id: string }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  const [error, setError] = useState<string | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      const detail = await api<InstanceDetail>(
        `/api/instances/${encodeURIComponent(id)}`,
      );
      setLoaded({ state: "ok", detail });
      setError(undefined);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setLoaded({ state: "missing" });
      else setError(describeError(err));
    }
  }, [id]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), refreshMs);
    return () => clearInterval(timer);
  }, [load]);

  const replaceInstance = (instance: Instance) =>
    setLoaded((now) =>
      now.state === "ok" ? { state: "ok", detail: { ...now.detail, instance } } : now,
    );

  return (
    <>
      <p class="breadcrumb">
        <Link href="/">← Overview</Link>
      </p>
      {loaded.state !== "ok" && (
        <h1 tabIndex={-1}>{loaded.state === "missing" ? `No instance ${id}` : id}</h1>
      )}
      {error && (
        <p class="form-error" role="alert">
          Could not refresh: {error}
        </p>
      )}
      {loaded.state === "missing" && (
        <p>The registry does not know this instance (any more).</p>
      )}
      {loaded.state === "ok" && (
        <InstanceView detail={loaded.detail} onChanged={replaceInstance} />
      )}
    </>
  );
}

interface InstanceViewProps {
  readonly detail: InstanceDetail;
  readonly onChanged: (instance: Instance) => void;
}

function InstanceView({ detail, onChanged }: InstanceViewProps) {
  const { instance } = detail;
  return (
    <>
      <div class="page-heading">
        <h1 tabIndex={-1}>
          {instance.serviceType} <span class="muted">{instance.address}</span>
        </h1>
        <HealthBadge health={instance.health} />
        <StateBadges instance={instance} />
      </div>
      <InstanceControls instance={instance} onChanged={onChanged} />
      <InstanceFacts instance={instance} />
      <section class="panel" aria-labelledby="traffic-title">
        <h2 id="traffic-title">Traffic</h2>
        <div class="traffic-charts">
          {trafficMetrics.map((metric) => (
            <div key={metric.key} class="traffic-chart">
              <h3>{metric.title}</h3>
              <UPlotChart
                makeOptions={metricOptions(metric, "full")}
                data={metricData(detail.traffic, metric)}
                height={160}
                label={`${metric.title} of ${instance.address} over the last minutes`}
              />
            </div>
          ))}
        </div>
      </section>
      <HealthHistory detail={detail} />
      <InstanceLogs instance={instance} />
    </>
  );
}

function InstanceFacts({ instance }: { readonly instance: Instance }) {
  const { stats } = instance;
  const facts: [string, ComponentChildren][] = [
    ["Id", instance.id],
    ["Visibility", instance.visibility],
    ["Source", instance.source],
    ["Registered", formatDateTime(instance.registeredAt)],
    ["Weight", instance.weight],
    ["Health", `${instance.health} since ${formatDateTime(instance.healthChangedAt)}`],
    ["Why", instance.healthReason || "–"],
    ["Last check", <LastCheck key="check" instance={instance} />],
    ["Failed checks in a row", instance.consecutiveFailures],
    ["Active requests", instance.activeRequests],
    ["Requests", stats.requests],
    ["Errors", stats.errors],
    ["Latency (EWMA)", `${stats.latencyEwmaMs.toFixed(1)} ms`],
    ["Picks", stats.picks],
  ];
  return (
    <section class="panel" aria-labelledby="facts-title">
      <h2 id="facts-title">Details</h2>
      <dl class="facts">
        {facts.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function HealthHistory({ detail }: { readonly detail: InstanceDetail }) {
  const { instance, history } = detail;
  return (
    <section class="panel" aria-labelledby="history-title">
      <h2 id="history-title">Health history and ejections</h2>
      <p>
        Ejected by passive health checking {instance.stats.ejections} time
        {instance.stats.ejections === 1 ? "" : "s"}
        {instance.ejected && instance.ejectedUntil
          ? `; ejected now, until ${formatDateTime(instance.ejectedUntil)}`
          : "; not ejected now"}
        .
      </p>
      {history.length === 0 ? (
        <p class="muted">No health changes seen since the admin server started.</p>
      ) : (
        <div class="table-scroll">
          <table class="history">
            <caption class="visually-hidden">Health changes, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Health</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {history.map((change) => (
                <tr key={`${change.time}-${change.health}`}>
                  <td class="time">{formatDateTime(change.time)}</td>
                  <td>
                    <HealthBadge health={change.health} />
                  </td>
                  <td>{change.reason || "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
