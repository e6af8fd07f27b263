// Child process for the multi-process SQLite test: appends tasks for one
// user to the shared database file through the operations layer.
//   node --import tsx sqlite-writer-process.ts <path> <userId> <count> <label>
import { createTodoOperations } from "../operations/todo-operations.js";
import { openSqliteTodoStore } from "../store/sqlite-todo-store.js";

const [path, userId, count, label] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const store = openSqliteTodoStore({ path });
const operations = createTodoOperations({
  store,
  directory: { lookup: async () => new Map() },
});
const caller = { userId, username: "writer", accessToken: "" };
for (let i = 0; i < Number(count); i++) {
  await operations.createTask(caller, { listId: "", title: `${label}-${i}` });
}
await store.close();
