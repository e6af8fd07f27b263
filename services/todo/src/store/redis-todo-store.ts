import { Redis } from "ioredis";
import { NO_DUE_KEY } from "../domain/due.js";
import { keyBetween } from "../domain/fractional-key.js";
import { checkGapBounds } from "./gap.js";
import {
  deleteListScript,
  deleteTaskScript,
  ensureDefaultListScript,
  insertListScript,
  putTaskScript,
  renameListScript,
} from "./redis-scripts.js";
import type {
  AppendResult,
  CountedList,
  PositionRef,
  PutCondition,
  PutRefusal,
  PutResult,
  StoredList,
  StoredTask,
  TaskQuery,
  TodoStore,
  UnplacedTask,
} from "./todo-store.js";

/** Options of the Redis store. */
export interface RedisTodoStoreOptions {
  /** A redis:// URL. */
  readonly url: string;
  /** Prefix of every key; default "todo:". */
  readonly keyPrefix?: string;
}

/**
 * Opens the Redis store. Every write that checks something first is one
 * Lua script, so versions, capacities and free gaps are checked and
 * written atomically however many todo replicas share the server.
 */
export function openRedisTodoStore(options: RedisTodoStoreOptions): TodoStore {
  const redis = new Redis(options.url, { maxRetriesPerRequest: 2 });
  return new RedisTodoStore(redis, options.keyPrefix ?? "todo:");
}

// Index members are "<key> <task id>"; see redis-scripts.ts.
function member(key: string, taskId: string): string {
  return `${key} ${taskId}`;
}

function refFromMember(value: string): PositionRef {
  const space = value.indexOf(" ");
  return { position: value.slice(0, space), taskId: value.slice(space + 1) };
}

class RedisTodoStore implements TodoStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async ensureDefaultList(candidate: StoredList): Promise<StoredList> {
    const user = this.#userKey(candidate.ownerId);
    const id = await ensureDefaultListScript.run(
      this.#redis,
      [`${user}:default`, `${user}:lists`, this.#listKey(candidate.id)],
      [this.#prefix, ...listArgs({ ...candidate, isDefault: true })],
    );
    const list = await this.getList(String(id));
    if (!list) throw new Error(`default list ${String(id)} vanished`);
    return list;
  }

  async insertList(list: StoredList, maxListsPerUser: number): Promise<"ok" | "limit"> {
    const outcome = await insertListScript.run(
      this.#redis,
      [`${this.#userKey(list.ownerId)}:lists`, this.#listKey(list.id)],
      [maxListsPerUser, ...listArgs(list)],
    );
    return outcome === "ok" ? "ok" : "limit";
  }

  async getList(listId: string): Promise<CountedList | undefined> {
    const key = this.#listKey(listId);
    const result = await this.#redis.multi().hgetall(key).zcard(`${key}:pos`).exec();
    const fields = result?.[0]?.[1] as Record<string, string> | undefined;
    if (!fields || fields.id === undefined) return undefined;
    return listFromHash(fields, Number(result?.[1]?.[1] ?? 0));
  }

  async listLists(ownerId: string): Promise<CountedList[]> {
    const ids = await this.#redis.zrange(`${this.#userKey(ownerId)}:lists`, 0, -1);
    const lists = await Promise.all(ids.map((id) => this.getList(id)));
    return lists.filter((list): list is CountedList => list !== undefined);
  }

  async renameList(
    listId: string,
    name: string,
    updatedAtMs: number,
  ): Promise<CountedList | undefined> {
    await renameListScript.run(this.#redis, [this.#listKey(listId)], [name, updatedAtMs]);
    return this.getList(listId);
  }

  async deleteList(
    listId: string,
    options: { keepList: boolean },
  ): Promise<number | undefined> {
    const deleted = await deleteListScript.run(
      this.#redis,
      [this.#listKey(listId)],
      [this.#prefix, listId, options.keepList ? "1" : "0"],
    );
    return Number(deleted) < 0 ? undefined : Number(deleted);
  }

  async getTask(taskId: string): Promise<StoredTask | undefined> {
    const json = await this.#redis.hget(this.#taskKey(taskId), "j");
    return json === null ? undefined : (JSON.parse(json) as StoredTask);
  }

  async putTask(task: StoredTask, condition: PutCondition): Promise<PutResult> {
    const gap = condition.gap;
    if (gap) checkGapBounds(task, gap);
    const outcome = await putTaskScript.run(
      this.#redis,
      [this.#taskKey(task.id)],
      [
        this.#prefix,
        condition.expectedVersion,
        JSON.stringify(task),
        condition.maxTasksPerList,
        gap?.lo ? member(gap.lo.position, gap.lo.taskId) : "",
        gap?.hi ? member(gap.hi.position, gap.hi.taskId) : "",
        task.version,
      ],
    );
    if (outcome === "ok") return { ok: true };
    return { ok: false, reason: outcome as PutRefusal };
  }

  // One round trip reads the owner and the last position, then the put
  // script re-checks that nothing was appended after that position.
  async appendTask(task: UnplacedTask, maxTasksPerList: number): Promise<AppendResult> {
    const listKey = this.#listKey(task.listId);
    const replies = await this.#redis
      .pipeline()
      .hget(listKey, "ownerId")
      .zrevrangebylex(this.#posKey(task.listId), "+", "-", "LIMIT", 0, 1)
      .exec();
    const [ownerReply, lastReply] = replies ?? [];
    if (ownerReply?.[0] || lastReply?.[0]) throw ownerReply?.[0] ?? lastReply?.[0];
    if (ownerReply?.[1] !== task.ownerId) return { ok: false, reason: "list_missing" };
    const lastMember = (lastReply?.[1] as string[] | undefined)?.[0];
    const lo = lastMember === undefined ? null : refFromMember(lastMember);
    const position = keyBetween(lo?.position ?? null, null);
    const result = await this.putTask(
      { ...task, position },
      { expectedVersion: 0, gap: { listId: task.listId, lo, hi: null }, maxTasksPerList },
    );
    if (result.ok) return { ok: true, position };
    if (result.reason === "stale") throw new Error(`appendTask: task ${task.id} exists`);
    return { ok: false, reason: result.reason };
  }

  async deleteTask(
    taskId: string,
    expectedVersion: number,
  ): Promise<"ok" | "stale" | "missing"> {
    const outcome = await deleteTaskScript.run(
      this.#redis,
      [this.#taskKey(taskId)],
      [this.#prefix, expectedVersion],
    );
    return outcome as "ok" | "stale" | "missing";
  }

  async nextInList(
    listId: string,
    position: string | null,
    excludeTaskId?: string,
  ): Promise<PositionRef | null> {
    // "!" sorts just above the space separator: every member whose
    // position is greater than `position` is above "<position>!".
    const min = position === null ? "-" : `(${position}!`;
    const members = await this.#redis.zrangebylex(
      this.#posKey(listId),
      min,
      "+",
      "LIMIT",
      0,
      2,
    );
    return firstOther(members, excludeTaskId);
  }

  async previousInList(
    listId: string,
    position: string | null,
    excludeTaskId?: string,
  ): Promise<PositionRef | null> {
    const max = position === null ? "+" : `(${position} `;
    const members = await this.#redis.zrevrangebylex(
      this.#posKey(listId),
      max,
      "-",
      "LIMIT",
      0,
      2,
    );
    return firstOther(members, excludeTaskId);
  }

  async atIndex(
    listId: string,
    index: number,
    exclude?: PositionRef,
  ): Promise<PositionRef | null> {
    if (index < 0) return null;
    const key = this.#posKey(listId);
    const excluded = exclude ? member(exclude.position, exclude.taskId) : "";
    const result = await this.#redis
      .multi()
      .zrank(key, excluded)
      .zrange(key, index, index + 1)
      .exec();
    const excludedRank = result?.[0]?.[1] as number | null | undefined;
    const members = (result?.[1]?.[1] ?? []) as string[];
    // An excluded task at or before this index shifts the rest up by one.
    const shifted = typeof excludedRank === "number" && excludedRank <= index;
    const chosen = shifted ? members[1] : members[0];
    return chosen === undefined ? null : refFromMember(chosen);
  }

  async countBefore(listId: string, position: string): Promise<number> {
    return this.#redis.zlexcount(this.#posKey(listId), "-", `(${position} `);
  }

  async listTasks(query: TaskQuery): Promise<StoredTask[]> {
    if (query.scope.kind === "shared") return this.#listShared(query, query.scope.userId);
    return this.#scanList(query, query.scope.listId);
  }

  async close(): Promise<void> {
    await this.#redis.quit();
  }

  /**
   * Walks the list's position or due index from the cursor in batches,
   * keeping the tasks that pass the filters, until the page is full.
   */
  async #scanList(query: TaskQuery, listId: string): Promise<StoredTask[]> {
    const index = `${this.#listKey(listId)}:${query.order === "position" ? "pos" : "due"}`;
    // Unfiltered pages fill from the first batch; filtered ones may need
    // more, so later batches grow.
    let batch = query.limit;
    const page: StoredTask[] = [];
    let min = query.after ? `(${member(query.after.key, query.after.id)}` : "-";
    while (page.length < query.limit) {
      const members = await this.#redis.zrangebylex(index, min, "+", "LIMIT", 0, batch);
      const tasks = await this.#loadTasks(members.map((m) => refFromMember(m).taskId));
      for (const [i, task] of tasks.entries()) {
        const { position: key } = refFromMember(members[i] as string);
        // A task moved since the index was read shows up at its new key.
        if (task && orderKey(task, query) === key && passesFilters(task, query)) {
          page.push(task);
        }
        if (page.length === query.limit) break;
      }
      if (members.length < batch || pastDueWindow(members.at(-1), query)) break;
      min = `(${members.at(-1)}`;
      batch = Math.min(batch * 2, 1000);
    }
    return page;
  }

  // Shared tasks come from many lists, so there is no single index to walk:
  // this reads every task shared with the user, which is fine for the
  // hundreds a person gets shared but not for hundreds of thousands.
  async #listShared(query: TaskQuery, userId: string): Promise<StoredTask[]> {
    const listId = query.scope.kind === "shared" ? query.scope.listId : undefined;
    const ids = await this.#redis.smembers(`${this.#userKey(userId)}:shared`);
    const tasks = (await this.#loadTasks(ids)).filter(
      (task): task is StoredTask =>
        task?.shares.some((share) => share.userId === userId) === true &&
        (listId === undefined || task.listId === listId) &&
        passesFilters(task, query),
    );
    const sorted = tasks
      .map((task) => ({ task, key: orderKey(task, query) }))
      .sort((a, b) => compareKeys(a.key, a.task.id, b.key, b.task.id));
    const after = query.after;
    const rest = after
      ? sorted.filter(
          (entry) => compareKeys(entry.key, entry.task.id, after.key, after.id) > 0,
        )
      : sorted;
    return rest.slice(0, query.limit).map((entry) => entry.task);
  }

  async #loadTasks(ids: readonly string[]): Promise<(StoredTask | undefined)[]> {
    if (ids.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hget(this.#taskKey(id), "j");
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, json]) => {
      if (err) throw err;
      return typeof json === "string" ? (JSON.parse(json) as StoredTask) : undefined;
    });
  }

  #taskKey(taskId: string): string {
    return `${this.#prefix}task:${taskId}`;
  }

  #listKey(listId: string): string {
    return `${this.#prefix}list:${listId}`;
  }

  #posKey(listId: string): string {
    return `${this.#listKey(listId)}:pos`;
  }

  #userKey(userId: string): string {
    return `${this.#prefix}user:${userId}`;
  }
}

function listArgs(list: StoredList): string[] {
  return [
    list.id,
    list.ownerId,
    list.name,
    list.isDefault ? "1" : "0",
    String(list.createdAtMs),
    String(list.updatedAtMs),
  ];
}

function listFromHash(fields: Record<string, string>, taskCount: number): CountedList {
  return {
    id: fields.id as string,
    ownerId: fields.ownerId as string,
    name: fields.name as string,
    isDefault: fields.isDefault === "1",
    taskCount,
    createdAtMs: Number(fields.createdAtMs),
    updatedAtMs: Number(fields.updatedAtMs),
  };
}

function firstOther(
  members: readonly string[],
  excludeTaskId?: string,
): PositionRef | null {
  for (const value of members) {
    const ref = refFromMember(value);
    if (ref.taskId !== excludeTaskId) return ref;
  }
  return null;
}

function orderKey(task: StoredTask, query: TaskQuery): string {
  return query.order === "position" ? task.position : task.dueKey;
}

function compareKeys(keyA: string, idA: string, keyB: string, idB: string): number {
  if (keyA !== keyB) return keyA < keyB ? -1 : 1;
  return idA < idB ? -1 : idA > idB ? 1 : 0;
}

function passesFilters(task: StoredTask, query: TaskQuery): boolean {
  if (query.completed !== undefined && task.completed !== query.completed) return false;
  if (query.dueBeforeKey !== undefined && !(task.dueKey < query.dueBeforeKey))
    return false;
  if (query.dueAtOrAfterKey !== undefined) {
    if (task.dueKey === NO_DUE_KEY || task.dueKey < query.dueAtOrAfterKey) return false;
  }
  return true;
}

// Walking the due index, nothing after the due_before bound can match.
function pastDueWindow(last: string | undefined, query: TaskQuery): boolean {
  if (query.order !== "due" || query.dueBeforeKey === undefined || last === undefined) {
    return false;
  }
  return refFromMember(last).position >= query.dueBeforeKey;
}
