import { useEffect, useState } from "preact/hooks";
import { api, describeError, logQuery } from "../api/api-client";
import type { Instance, LogPage, LogRecord, LogSource } from "../api/types";
import { LogTable } from "../components/log-table";

const refreshMs = 5_000;

/**
 * The logger knows instances by the name they log under ("todo-1"), the
 * registry by "type@address"; the contract has no link between the two.
 * A `metadata.instance` from the registration names it when present; a
 * type with a single log source needs no link; otherwise the operator picks
 * (the default shows every instance of the type, and says so).
 */
function defaultLogInstance(instance: Instance, candidates: readonly string[]): string {
  const named = instance.metadata?.instance;
  if (named && candidates.includes(named)) return named;
  return candidates.length === 1 ? (candidates[0] ?? "") : "";
}

/** The newest records an instance logged, refreshed every few seconds. */
export function InstanceLogs({ instance }: { readonly instance: Instance }) {
  const [candidates, setCandidates] = useState<readonly string[] | undefined>(undefined);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const [records, setRecords] = useState<readonly LogRecord[]>([]);
  const [error, setError] = useState<string | undefined>(undefined);
  const type = instance.serviceType;

  useEffect(() => {
    api<{ sources: LogSource[] }>("/api/logs/sources")
      .then(({ sources }) => {
        const names = sources
          .filter((s) => s.serviceType === type)
          .map((s) => s.instance);
        setCandidates([...new Set(names)].sort());
      })
      .catch((err: unknown) => setError(describeError(err)));
  }, [type]);

  const logInstance =
    chosen ?? (candidates ? defaultLogInstance(instance, candidates) : "");

  useEffect(() => {
    if (candidates === undefined) return;
    const query = logQuery({ service: type, instance: logInstance }, { limit: "50" });
    const load = () =>
      api<LogPage>(`/api/logs${query}`)
        .then((page) => {
          setRecords(page.records);
          setError(undefined);
        })
        .catch((err: unknown) => setError(describeError(err)));
    void load();
    const timer = setInterval(load, refreshMs);
    return () => clearInterval(timer);
  }, [type, logInstance, candidates]);

  return (
    <section class="panel" aria-labelledby="instance-logs-title">
      <div class="panel-heading">
        <h2 id="instance-logs-title">Recent logs</h2>
        <label for="log-instance">Log source</label>
        <select
          id="log-instance"
          value={logInstance}
          onChange={(e) => setChosen(e.currentTarget.value)}
        >
          <option value="">every {type} instance</option>
          {(candidates ?? []).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {records.length === 0 ? (
        <p class="muted">No records yet.</p>
      ) : (
        <LogTable
          records={records}
          caption={`Newest log records of ${type}`}
          compact={logInstance !== ""}
        />
      )}
    </section>
  );
}
