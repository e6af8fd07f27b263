import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, describeError, logQuery } from "../api/api-client";
import {
  type LogFilter,
  type LogLevel,
  type LogPage,
  type LogRecord,
  type LogSource,
  type LogStats,
  logLevels,
} from "../api/types";
import { LevelHistogram } from "../charts/level-histogram";
import { LogTable } from "../components/log-table";
import { LogTail, type TailState } from "../live/log-tail";
import { navigate } from "../router";
import { LogFilterForm } from "./log-filter-form";

/** Records kept on the page; older ones are dropped as new ones arrive. */
const maxRecords = 500;
const statsRefreshMs = 15_000;

function filterFromSearch(search: URLSearchParams): LogFilter {
  const get = (key: string) => search.get(key) || undefined;
  const level = get("level");
  return {
    service: get("service"),
    instance: get("instance"),
    level: logLevels.includes(level as LogLevel) ? (level as LogLevel) : undefined,
    text: get("text"),
    since: get("since"),
    until: get("until"),
  };
}

/** Log records with filters, a histogram per level and live follow. */
export function LogsPage({ search }: { readonly search: URLSearchParams }) {
  const searchKey = search.toString();
  // The query string is the filter's identity: `search` is a new object on
  // every render, and a new filter would reload the records.
  const filter = useMemo(() => filterFromSearch(search), [searchKey]);
  const [sources, setSources] = useState<readonly LogSource[]>([]);
  const [error, setError] = useState<string | undefined>(undefined);

  useEffect(() => {
    api<{ sources: LogSource[] }>("/api/logs/sources")
      .then((answer) => setSources(answer.sources))
      .catch((err: unknown) => setError(describeError(err)));
  }, []);

  const apply = (next: LogFilter) => navigate(`/logs${logQuery(next)}`);

  return (
    <>
      <div class="page-heading">
        <h1 tabIndex={-1}>Logs</h1>
      </div>
      <LogFilterForm applied={filter} sources={sources} onApply={apply} />
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <LogStatsPanel filter={filter} />
      <LogRecords key={searchKey} filter={filter} />
    </>
  );
}

function LogStatsPanel({ filter }: { readonly filter: LogFilter }) {
  const [stats, setStats] = useState<LogStats | undefined>(undefined);
  useEffect(() => {
    const load = () =>
      api<LogStats>(`/api/logs/stats${logQuery(filter)}`)
        .then(setStats)
        .catch(() => {});
    void load();
    const timer = setInterval(load, statsRefreshMs);
    return () => clearInterval(timer);
  }, [filter]);
  return (
    <section aria-labelledby="volume-title" class="panel">
      <h2 id="volume-title">Volume by level</h2>
      {stats ? <LevelHistogram stats={stats} /> : <p class="muted">Loading…</p>}
    </section>
  );
}

/** The records of one filter: a first page, older pages on request, and
 * newer ones as they are written while following. */
function LogRecords({ filter }: { readonly filter: LogFilter }) {
  const [records, setRecords] = useState<readonly LogRecord[]>([]);
  const [nextCursor, setNextCursor] = useState("");
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tailState, setTailState] = useState<TailState>("paused");
  const tail = useRef<LogTail | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    const seen = new Set<string>();
    const add = (record: LogRecord) => {
      if (seen.has(record.cursor)) return;
      seen.add(record.cursor);
      setRecords((shown) => [record, ...shown].slice(0, maxRecords));
    };
    api<LogPage>(`/api/logs${logQuery(filter, { limit: "200" })}`)
      .then((page) => {
        if (cancelled) return;
        for (const r of page.records) seen.add(r.cursor);
        setRecords(page.records);
        setNextCursor(page.nextCursor);
        tail.current = new LogTail({
          filter,
          after: page.records[0]?.cursor,
          onRecord: add,
          onState: setTailState,
        });
        tail.current.resume();
      })
      .catch((err: unknown) => !cancelled && setError(describeError(err)))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
      tail.current?.pause();
      tail.current = undefined;
    };
  }, [filter]);

  const loadOlder = async () => {
    try {
      const page = await api<LogPage>(
        `/api/logs${logQuery(filter, { limit: "200", cursor: nextCursor })}`,
      );
      setRecords((shown) => [...shown, ...page.records]);
      setNextCursor(page.nextCursor);
    } catch (err) {
      setError(describeError(err));
    }
  };

  const toggle = () => {
    if (tailState === "paused") tail.current?.resume();
    else tail.current?.pause();
  };

  return (
    <section aria-labelledby="records-title" class="panel">
      <div class="panel-heading">
        <h2 id="records-title">Records</h2>
        <span class={`tail-status tail-${tailState}`} role="status">
          {tailLabel(tailState)}
        </span>
        <button type="button" onClick={toggle} disabled={!tail.current && loading}>
          {tailState === "paused" ? "Resume" : "Pause"}
        </button>
      </div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {loading ? (
        <p class="muted">Loading…</p>
      ) : records.length === 0 ? (
        <p class="muted">No records match these filters yet.</p>
      ) : (
        <LogTable records={records} caption="Log records, newest first" />
      )}
      {nextCursor !== "" && (
        <button type="button" class="secondary" onClick={loadOlder}>
          Load older records
        </button>
      )}
    </section>
  );
}

function tailLabel(state: TailState): string {
  if (state === "following") return "following live";
  if (state === "reconnecting") return "reconnecting…";
  if (state === "connecting") return "connecting…";
  return "paused";
}
