import type { Client } from "@connectrpc/connect";
import type { Task, TaskOrder, TodoService } from "@microtodo/api/todo";

/** The TodoService client commands use. */
export type TodoClient = Client<typeof TodoService>;

/** Tasks gathered from one or more pages. */
export interface TaskPages {
  readonly tasks: Task[];
  /** Empty when the last page was read. */
  readonly nextPageToken: string;
}

/** The ListTasks fields a command sets; paging is handled here. */
export interface TaskFilter {
  readonly listId?: string;
  readonly completed?: boolean;
  readonly sharedWithMe?: boolean;
  readonly order?: TaskOrder;
}

// The contract's largest page: fewest round trips when reading everything.
const fullPageSize = 200;

/** ListTasks: one page, or every page when `all`. */
export function listTasks(
  todo: TodoClient,
  filter: TaskFilter,
  all: boolean,
): Promise<TaskPages> {
  const pageSize = all ? fullPageSize : 0;
  return collectPages(
    (pageToken) => todo.listTasks({ ...filter, pageSize, pageToken }),
    all,
  );
}

/** ListSharedWithMe: one page, or every page when `all`. */
export function listSharedWithMe(todo: TodoClient, all: boolean): Promise<TaskPages> {
  const pageSize = all ? fullPageSize : 0;
  return collectPages((pageToken) => todo.listSharedWithMe({ pageSize, pageToken }), all);
}

async function collectPages(
  fetchPage: (pageToken: string) => Promise<TaskPages>,
  all: boolean,
): Promise<TaskPages> {
  const tasks: Task[] = [];
  const seen = new Set<string>();
  let token = "";
  do {
    const page = await fetchPage(token);
    tasks.push(...page.tasks);
    token = page.nextPageToken;
    // A server handing out the same token twice would otherwise loop forever.
    if (seen.has(token)) break;
    seen.add(token);
  } while (all && token !== "");
  return { tasks, nextPageToken: token };
}
