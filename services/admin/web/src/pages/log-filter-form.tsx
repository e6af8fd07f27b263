import { useEffect, useState } from "preact/hooks";
import { type LogFilter, type LogLevel, type LogSource, logLevels } from "../api/types";

interface LogFilterFormProps {
  readonly applied: LogFilter;
  readonly sources: readonly LogSource[];
  readonly onApply: (filter: LogFilter) => void;
}

/** ISO-8601 to the local "YYYY-MM-DDTHH:MM" a datetime-local input takes. */
function toLocalInput(iso: string | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000)
    .toISOString()
    .slice(0, 16);
}

function fromLocalInput(value: string): string | undefined {
  if (value === "") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The filters of the logs page; applied on submit (Enter or the button). */
export function LogFilterForm({ applied, sources, onApply }: LogFilterFormProps) {
  const [service, setService] = useState(applied.service ?? "");
  const [instance, setInstance] = useState(applied.instance ?? "");
  const [level, setLevel] = useState<string>(applied.level ?? "");
  const [text, setText] = useState(applied.text ?? "");
  const [since, setSince] = useState(toLocalInput(applied.since));
  const [until, setUntil] = useState(toLocalInput(applied.until));

  // Back/forward changes the applied filter under the form.
  useEffect(() => {
    setService(applied.service ?? "");
    setInstance(applied.instance ?? "");
    setLevel(applied.level ?? "");
    setText(applied.text ?? "");
    setSince(toLocalInput(applied.since));
    setUntil(toLocalInput(applied.until));
  }, [applied]);

  const services = [...new Set(sources.map((s) => s.serviceType))].sort();
  const instances = [
    ...new Set(
      sources
        .filter((s) => service === "" || s.serviceType === service)
        .map((s) => s.instance),
    ),
  ].sort();

  const submit = (event: Event) => {
    event.preventDefault();
    onApply({
      service: service || undefined,
      instance: instance || undefined,
      level: (level || undefined) as LogLevel | undefined,
      text: text || undefined,
      since: fromLocalInput(since),
      until: fromLocalInput(until),
    });
  };

  return (
    <form class="filters" onSubmit={submit} aria-label="Log filters">
      <div class="field">
        <label for="filter-service">Service type</label>
        <select
          id="filter-service"
          value={service}
          onChange={(e) => {
            setService(e.currentTarget.value);
            setInstance("");
          }}
        >
          <option value="">any</option>
          {services.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="filter-instance">Instance</label>
        <select
          id="filter-instance"
          value={instance}
          onChange={(e) => setInstance(e.currentTarget.value)}
        >
          <option value="">any</option>
          {instances.map((i) => (
            <option key={i} value={i}>
              {i}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="filter-level">Minimum level</label>
        <select
          id="filter-level"
          value={level}
          onChange={(e) => setLevel(e.currentTarget.value)}
        >
          <option value="">any</option>
          {logLevels.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
      </div>
      <div class="field grow">
        <label for="filter-text">Text contains</label>
        <input
          id="filter-text"
          type="search"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="filter-since">From</label>
        <input
          id="filter-since"
          type="datetime-local"
          value={since}
          onInput={(e) => setSince(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="filter-until">To</label>
        <input
          id="filter-until"
          type="datetime-local"
          value={until}
          onInput={(e) => setUntil(e.currentTarget.value)}
        />
      </div>
      <div class="field actions">
        <button type="submit">Apply filters</button>
      </div>
    </form>
  );
}
