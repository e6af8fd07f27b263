// The storage contract of the todo service. Stores keep records and
// enforce the invariants that need atomicity (versions, list capacity,
// free gaps for positions); every rule about who may do what lives in
// the operations layer above.

/** What a share allows. */
export type SharePermission = "view" | "edit";

/** A calendar date, or an instant with the zone it was set in. */
export type StoredDue =
  | { readonly kind: "date"; readonly date: string }
  | { readonly kind: "time"; readonly timeMs: number; readonly timeZone: string };

/** One user a task is shared with. */
export interface StoredShare {
  readonly userId: string;
  readonly username: string;
  readonly permission: SharePermission;
  readonly createdAtMs: number;
}

/** A task list as stored. */
export interface StoredList {
  readonly id: string;
  readonly ownerId: string;
  readonly name: string;
  readonly isDefault: boolean;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/** A list with the number of tasks it holds. */
export interface CountedList extends StoredList {
  readonly taskCount: number;
}

/** A task as stored. */
export interface StoredTask {
  readonly id: string;
  readonly listId: string;
  readonly ownerId: string;
  readonly ownerUsername: string;
  readonly title: string;
  readonly notes: string;
  readonly completed: boolean;
  readonly completedAtMs: number | null;
  readonly due: StoredDue | null;
  /** Derived from `due` by the caller (see dueSortKey); stores index it. */
  readonly dueKey: string;
  /** Fractional key ordering the task in its list; unique per list. */
  readonly position: string;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  /** 1 on creation, +1 on every change. */
  readonly version: number;
  readonly shares: readonly StoredShare[];
}

/** A task's place in its list, as a bound of a gap. */
export interface PositionRef {
  readonly taskId: string;
  readonly position: string;
}

/**
 * The free stretch of a list a task is put into: `lo` and `hi` must still
 * sit at their positions and no other task may lie strictly between them.
 * A null bound is the open end of the list.
 */
export interface Gap {
  readonly listId: string;
  readonly lo: PositionRef | null;
  readonly hi: PositionRef | null;
}

/** The conditions under which putTask writes. */
export interface PutCondition {
  /** The stored version the write replaces; 0 means the task must not exist yet. */
  readonly expectedVersion: number;
  /** Required when the task is new or its list or position changes. */
  readonly gap?: Gap;
  /** Capacity checked when the task enters a list. */
  readonly maxTasksPerList: number;
}

/** Why putTask did not write. */
export type PutRefusal = "stale" | "gap_changed" | "list_full" | "list_missing";

/** The outcome of putTask. */
export type PutResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: PutRefusal };

/** A task for appendTask: everything but the position, which the store picks. */
export type UnplacedTask = Omit<StoredTask, "position">;

/**
 * The outcome of appendTask: the position the task got, or why it was not
 * written. "gap_changed" means another task was appended meanwhile and the
 * caller should try again; stores that append under a lock never return it.
 */
export type AppendResult =
  | { readonly ok: true; readonly position: string }
  | { readonly ok: false; readonly reason: "gap_changed" | "list_full" | "list_missing" };

/** Which tasks listTasks walks. */
export type TaskScope =
  | { readonly kind: "list"; readonly listId: string }
  | { readonly kind: "shared"; readonly userId: string; readonly listId?: string };

/** The key a listing is ordered by, with the task id breaking ties. */
export type TaskOrderKey = "position" | "due";

/** A page request; results come in (key, id) order. */
export interface TaskQuery {
  readonly scope: TaskScope;
  readonly order: TaskOrderKey;
  readonly completed?: boolean;
  /** Only tasks whose dueKey is below this (undated tasks never match). */
  readonly dueBeforeKey?: string;
  /** Only tasks whose dueKey is at or above this (undated tasks never match). */
  readonly dueAtOrAfterKey?: string;
  /** Start strictly after this (key, id); absent starts at the beginning. */
  readonly after?: { readonly key: string; readonly id: string };
  readonly limit: number;
}

/** Persistence of lists and tasks; SQLite and Redis implement it. */
export interface TodoStore {
  /** The owner's default list, inserting `candidate` when there is none yet. */
  ensureDefaultList(candidate: StoredList): Promise<StoredList>;
  /** Inserts a list unless the owner already has `maxListsPerUser`. */
  insertList(list: StoredList, maxListsPerUser: number): Promise<"ok" | "limit">;
  getList(listId: string): Promise<CountedList | undefined>;
  /** The owner's lists, oldest first. */
  listLists(ownerId: string): Promise<CountedList[]>;
  renameList(
    listId: string,
    name: string,
    updatedAtMs: number,
  ): Promise<CountedList | undefined>;
  /**
   * Deletes every task of the list, and the list itself unless `keepList`.
   * Returns how many tasks went, or undefined when the list does not exist.
   */
  deleteList(listId: string, options: { keepList: boolean }): Promise<number | undefined>;

  getTask(taskId: string): Promise<StoredTask | undefined>;
  /** Inserts or replaces a task if `condition` holds, atomically. */
  putTask(task: StoredTask, condition: PutCondition): Promise<PutResult>;
  /**
   * Inserts a new task after the last one of its list, atomically: the list
   * must exist, belong to the task's owner and hold fewer than
   * `maxTasksPerList` tasks. This is CreateTask's common case, so it is one
   * store call instead of a neighbour read and a conditional putTask.
   */
  appendTask(task: UnplacedTask, maxTasksPerList: number): Promise<AppendResult>;
  /** Deletes a task at `expectedVersion` (0: any version). */
  deleteTask(
    taskId: string,
    expectedVersion: number,
  ): Promise<"ok" | "stale" | "missing">;

  /** The first task after `position` in the list (null: the first), skipping `excludeTaskId`. */
  nextInList(
    listId: string,
    position: string | null,
    excludeTaskId?: string,
  ): Promise<PositionRef | null>;
  /** The last task before `position` in the list (null: the last), skipping `excludeTaskId`. */
  previousInList(
    listId: string,
    position: string | null,
    excludeTaskId?: string,
  ): Promise<PositionRef | null>;
  /** The task at a 0-based index in position order, as if `exclude` were not there. */
  atIndex(
    listId: string,
    index: number,
    exclude?: PositionRef,
  ): Promise<PositionRef | null>;
  /** How many tasks of the list sit before `position`. */
  countBefore(listId: string, position: string): Promise<number>;

  listTasks(query: TaskQuery): Promise<StoredTask[]>;
  close(): Promise<void>;
}
