import { keyBetween } from "../domain/fractional-key.js";
import type { Gap, PositionRef, TodoStore } from "../store/todo-store.js";

/** Where a task goes in a list. */
export type Placement =
  | { readonly kind: "end"; readonly listId: string }
  | {
      readonly kind: "before" | "after";
      readonly listId: string;
      readonly anchor: PositionRef;
    }
  /** 1-based rank among the list's other tasks, clamped to the list. */
  | { readonly kind: "rank"; readonly listId: string; readonly rank: number };

/** A gap and the fresh key inside it. */
export interface Slot {
  readonly gap: Gap;
  readonly position: string;
}

/** The task being placed: its id, and its current place if it has one. */
export interface Moving {
  readonly taskId: string;
  readonly current?: PositionRef & { readonly listId: string };
}

/**
 * Reads the neighbours of a placement and picks a key between them, or
 * returns undefined when the reads contradict each other. The read is not
 * atomic with the later write: putTask re-checks the gap and the caller
 * retries when someone else took it meanwhile.
 */
export async function findSlot(
  store: TodoStore,
  placement: Placement,
  moving: Moving,
): Promise<Slot | undefined> {
  const { listId } = placement;
  let lo: PositionRef | null;
  let hi: PositionRef | null;
  switch (placement.kind) {
    case "end":
      lo = await store.previousInList(listId, null, moving.taskId);
      hi = null;
      break;
    case "after":
      lo = placement.anchor;
      hi = await store.nextInList(listId, placement.anchor.position, moving.taskId);
      break;
    case "before":
      lo = await store.previousInList(listId, placement.anchor.position, moving.taskId);
      hi = placement.anchor;
      break;
    case "rank":
      [lo, hi] = await rankBounds(store, listId, placement.rank, moving);
      break;
  }
  // The two bounds come from separate reads; a write in between can leave
  // them crossed. The caller then reads again.
  if (lo && hi && lo.position >= hi.position) return undefined;
  const position = keyBetween(lo?.position ?? null, hi?.position ?? null);
  return { gap: { listId, lo, hi }, position };
}

async function rankBounds(
  store: TodoStore,
  listId: string,
  rank: number,
  moving: Moving,
): Promise<[PositionRef | null, PositionRef | null]> {
  const exclude = moving.current?.listId === listId ? moving.current : undefined;
  const index = Math.max(0, Math.floor(rank) - 1);
  const hi = await store.atIndex(listId, index, exclude);
  // Past the end: the slot is after the last task.
  const lo =
    hi === null
      ? await store.previousInList(listId, null, moving.taskId)
      : await store.atIndex(listId, index - 1, exclude);
  return [lo, hi];
}
