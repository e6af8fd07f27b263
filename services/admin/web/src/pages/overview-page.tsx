import { useEffect, useState } from "preact/hooks";
import type { Instance, ServiceType, TrafficPoint } from "../api/types";
import { trafficMetrics } from "../charts/traffic-metrics";
import { FeedStatus } from "../components/feed-status";
import { HealthBadge, LastCheck, StateBadges } from "../components/health-badges";
import { Link } from "../components/link";
import { TrafficSpark } from "../components/traffic-spark";
import { formatShare } from "../format";
import { type FeedState, OverviewFeed } from "../live/overview-feed";
import { trafficShares } from "../live/traffic-share";
import { instancePath } from "../router";

/** Traffic shares are taken over the newest 10 s, so a weight change shows soon. */
const shareWindowMs = 10_000;

function useOverviewFeed(): FeedState {
  const [feed] = useState(() => new OverviewFeed());
  const [state, setState] = useState(feed.state);
  useEffect(() => {
    const unsubscribe = feed.subscribe(setState);
    feed.start();
    return () => {
      unsubscribe();
      feed.stop();
    };
  }, [feed]);
  return state;
}

interface TypeGroup {
  readonly name: string;
  readonly type: ServiceType | undefined;
  readonly instances: readonly Instance[];
}

/** Every type the registry knows, with its instances, sorted by name. */
function groupByType(state: FeedState): TypeGroup[] {
  const names = new Set(state.types.keys());
  for (const instance of state.instances.values()) names.add(instance.serviceType);
  const all = [...state.instances.values()];
  return [...names].sort().map((name) => ({
    name,
    type: state.types.get(name),
    instances: all
      .filter((i) => i.serviceType === name)
      .sort((a, b) => a.address.localeCompare(b.address)),
  }));
}

/** Every service type and instance, their health and traffic, live. */
export function OverviewPage() {
  const state = useOverviewFeed();
  const groups = groupByType(state);
  const shares = trafficShares(
    [...state.instances.values()],
    state.traffic,
    shareWindowMs,
  );
  return (
    <>
      <div class="page-heading">
        <h1 tabIndex={-1}>Overview</h1>
        <FeedStatus mode={state.mode} />
      </div>
      {state.error && (
        <p class="form-error" role="alert">
          Could not refresh: {state.error}
        </p>
      )}
      {groups.length === 0 && <p class="muted">No service types registered yet.</p>}
      {groups.map((group) => (
        <TypeSection
          key={group.name}
          group={group}
          traffic={state.traffic}
          shares={shares}
        />
      ))}
    </>
  );
}

interface TypeSectionProps {
  readonly group: TypeGroup;
  readonly traffic: ReadonlyMap<string, readonly TrafficPoint[]>;
  readonly shares: ReadonlyMap<string, number | undefined>;
}

function TypeSection({ group, traffic, shares }: TypeSectionProps) {
  const healthy = group.instances.filter((i) => i.health === "healthy").length;
  const headingId = `type-${group.name}`;
  return (
    <section
      class="service-type"
      aria-labelledby={headingId}
      data-service-type={group.name}
    >
      <h2 id={headingId}>{group.name}</h2>
      <p class="type-summary">
        <span>
          visibility {group.type?.visibility ?? group.instances[0]?.visibility ?? "?"}
        </span>
        <span>balancer {group.type?.balancer ?? "?"}</span>
        <span class="type-counts">
          {group.instances.length} instance{group.instances.length === 1 ? "" : "s"},{" "}
          {healthy} healthy
        </span>
      </p>
      <div class="table-scroll">
        <table class="instances">
          <caption class="visually-hidden">Instances of {group.name}</caption>
          <thead>
            <tr>
              <th scope="col">Instance</th>
              <th scope="col">Weight</th>
              <th scope="col">Health</th>
              <th scope="col">Active</th>
              <th scope="col">Share</th>
              {trafficMetrics.map((m) => (
                <th scope="col" key={m.key}>
                  {m.title}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {group.instances.map((instance) => (
              <InstanceRow
                key={instance.id}
                instance={instance}
                points={traffic.get(instance.id) ?? []}
                share={shares.get(instance.id)}
              />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

interface InstanceRowProps {
  readonly instance: Instance;
  readonly points: readonly TrafficPoint[];
  readonly share: number | undefined;
}

function InstanceRow({ instance, points, share }: InstanceRowProps) {
  return (
    <tr data-instance-id={instance.id}>
      <th scope="row">
        <Link href={instancePath(instance.id)}>{instance.address}</Link>
        <StateBadges instance={instance} />
      </th>
      <td class="weight num">{instance.weight}</td>
      <td class="health">
        <HealthBadge health={instance.health} />
        {instance.health !== "healthy" && instance.healthReason && (
          <span class="reason">{instance.healthReason}</span>
        )}
        <LastCheck instance={instance} />
      </td>
      <td class="active num">{instance.activeRequests}</td>
      <td class="share num">{formatShare(share)}</td>
      {trafficMetrics.map((metric) => (
        <td key={metric.key} class={`metric metric-${metric.key}`}>
          <TrafficSpark metric={metric} points={points} subject={instance.address} />
        </td>
      ))}
    </tr>
  );
}
