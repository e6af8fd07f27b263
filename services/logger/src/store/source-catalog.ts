import type Database from "better-sqlite3";
import type { RecordFilter } from "./log-record.js";

/** A service instance as the store names it. */
export interface SourceName {
  readonly serviceType: string;
  readonly instance: string;
}

interface SourceRow {
  id: number;
  service_type: string;
  instance: string;
}

/**
 * The `sources` table mirrored in memory: records store a small integer
 * source id instead of two strings, which keeps rows and the
 * (source_id, time) index small; filters by type or instance become a
 * short list of ids without touching the disk.
 */
export class SourceCatalog {
  readonly #db: Database.Database;
  // Type, then instance: a lookup per stored record without building a
  // key string for it.
  readonly #byName = new Map<string, Map<string, number>>();
  readonly #byId = new Map<number, SourceName>();
  readonly #insert: Database.Statement<[string, string, number, number], SourceRow>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO sources (service_type, instance, first_seen, last_seen)
       VALUES (?, ?, ?, ?) RETURNING id, service_type, instance`,
    );
    this.reload();
  }

  /** Rebuilds the mirror from the table, e.g. after a rolled-back write. */
  reload(): void {
    this.#byName.clear();
    this.#byId.clear();
    const rows = this.#db
      .prepare("SELECT id, service_type, instance FROM sources")
      .all() as SourceRow[];
    for (const row of rows) this.#remember(row);
  }

  /** The id of a source, inserting it (inside the caller's transaction). */
  idFor(serviceType: string, instance: string, timeMs: number): number {
    const known = this.#idOf(serviceType, instance);
    if (known !== undefined) return known;
    const row = this.#insert.get(serviceType, instance, timeMs, timeMs);
    if (!row) throw new Error("inserting a source returned no row");
    this.#remember(row);
    return row.id;
  }

  nameOf(id: number): SourceName {
    const name = this.#byId.get(id);
    if (!name) throw new Error(`log record refers to unknown source ${id}`);
    return name;
  }

  /** Forgets a source whose row the caller deleted. */
  forget(id: number): void {
    const name = this.#byId.get(id);
    if (!name) return;
    this.#byId.delete(id);
    const instances = this.#byName.get(name.serviceType);
    instances?.delete(name.instance);
    if (instances?.size === 0) this.#byName.delete(name.serviceType);
  }

  /**
   * The ids a filter allows, or undefined when it does not constrain the
   * source at all. An empty list means no record can match.
   */
  idsMatching(filter: RecordFilter): number[] | undefined {
    const { serviceType, instance } = filter;
    if (serviceType === undefined && instance === undefined) return undefined;
    if (serviceType !== undefined && instance !== undefined) {
      const id = this.#idOf(serviceType, instance);
      return id === undefined ? [] : [id];
    }
    const ids: number[] = [];
    for (const [id, name] of this.#byId) {
      if (serviceType !== undefined && name.serviceType !== serviceType) continue;
      if (instance !== undefined && name.instance !== instance) continue;
      ids.push(id);
    }
    return ids;
  }

  #idOf(serviceType: string, instance: string): number | undefined {
    return this.#byName.get(serviceType)?.get(instance);
  }

  #remember(row: SourceRow): void {
    const name = { serviceType: row.service_type, instance: row.instance };
    let instances = this.#byName.get(row.service_type);
    if (!instances) {
      instances = new Map();
      this.#byName.set(row.service_type, instances);
    }
    instances.set(row.instance, row.id);
    this.#byId.set(row.id, name);
  }
}
