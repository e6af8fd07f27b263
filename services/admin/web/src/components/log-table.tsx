import { Fragment } from "preact";
import type { LogRecord } from "../api/types";
import { formatLogTime } from "../format";

interface LogTableProps {
  readonly records: readonly LogRecord[];
  /** Table caption, read by screen readers. */
  readonly caption: string;
  /** Leave out the service and instance columns (one instance's page). */
  readonly compact?: boolean;
}

/** Log records, newest first, coloured by level (and named, for those who
 * cannot tell the colours apart). Extra fields open with a disclosure. */
export function LogTable({ records, caption, compact = false }: LogTableProps) {
  return (
    <div class="table-scroll">
      <table class="logs">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Level</th>
            {!compact && <th scope="col">Service</th>}
            {!compact && <th scope="col">Instance</th>}
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {records.map((record) => (
            <tr
              key={record.cursor}
              class={`log-row log-${record.level}`}
              data-cursor={record.cursor}
            >
              <td class="time">{formatLogTime(record.time)}</td>
              <td>
                <span class={`level level-${record.level}`}>{record.level}</span>
              </td>
              {!compact && <td>{record.serviceType}</td>}
              {!compact && <td>{record.instance}</td>}
              <td class="message">
                <RecordMessage record={record} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RecordMessage({ record }: { readonly record: LogRecord }) {
  const fields = Object.keys(record.fields ?? {});
  if (fields.length === 0 && !record.requestId) return <>{record.message}</>;
  return (
    <details>
      <summary>{record.message || <span class="muted">(no message)</span>}</summary>
      <dl class="fields">
        {record.requestId && (
          <>
            <dt>requestId</dt>
            <dd>{record.requestId}</dd>
          </>
        )}
        {fields.map((key) => (
          <Fragment key={key}>
            <dt>{key}</dt>
            <dd>{fieldText(record.fields[key])}</dd>
          </Fragment>
        ))}
      </dl>
    </details>
  );
}

function fieldText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
