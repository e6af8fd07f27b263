import type { Gap, StoredTask } from "./todo-store.js";

/**
 * Sorts above every fractional key (they use only 0-9A-Za-z), so it stands
 * for the open upper end of a list in range queries.
 */
export const gapUpperBound = "~";

/**
 * Throws when a caller breaks putTask's contract: a placement without a
 * gap, a gap of another list, or a position outside the gap. These are
 * programming errors, not races, so they are not returned as refusals.
 */
export function checkGapBounds(
  task: StoredTask,
  gap: Gap | undefined,
): asserts gap is Gap {
  if (!gap) throw new Error(`putTask: task ${task.id} changes place without a gap`);
  if (gap.listId !== task.listId) {
    throw new Error(`putTask: gap is in list ${gap.listId}, task goes to ${task.listId}`);
  }
  const aboveLo = gap.lo === null || task.position > gap.lo.position;
  const belowHi = gap.hi === null || task.position < gap.hi.position;
  if (!aboveLo || !belowHi) {
    throw new Error(`putTask: position ${task.position} is outside its gap`);
  }
}
