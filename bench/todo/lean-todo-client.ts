// A load generator's TodoService client for through-registry.ts: Connect's
// unary protocol (binary) over an undici pool, one kept-alive connection
// per caller. It does what the Connect client does on the wire (a
// content-length body instead of a chunked one) at about a third of its
// CPU, so the bench measures the services rather than the client sharing
// their two cores, as wrk does for the proxy bench. Every answer is checked
// and decoded.
import {
  create,
  type DescMessage,
  fromBinary,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import {
  CreateListRequestSchema,
  CreateListResponseSchema,
  CreateTaskRequestSchema,
  CreateTaskResponseSchema,
  ListTasksRequestSchema,
  ListTasksResponseSchema,
} from "@microtodo/api/todo";
import { Pool } from "undici";

/** The two calls the bench makes, as both clients offer them. */
export interface TodoCalls {
  createList(
    init: MessageInitShape<typeof CreateListRequestSchema>,
  ): Promise<MessageShape<typeof CreateListResponseSchema>>;
  createTask(
    init: MessageInitShape<typeof CreateTaskRequestSchema>,
  ): Promise<MessageShape<typeof CreateTaskResponseSchema>>;
  listTasks(
    init: MessageInitShape<typeof ListTasksRequestSchema>,
  ): Promise<MessageShape<typeof ListTasksResponseSchema>>;
  close(): Promise<void>;
}

const servicePath = "/microtodo.todo.v1.TodoService";

/** A lean client for `baseUrl` with `connections` kept-alive connections. */
export function createLeanTodoClient(
  baseUrl: string,
  token: string,
  connections: number,
): TodoCalls {
  const pool = new Pool(baseUrl, { connections, pipelining: 1 });
  const headers = {
    "content-type": "application/proto",
    "connect-protocol-version": "1",
    authorization: `Bearer ${token}`,
  };
  async function call<I extends DescMessage, O extends DescMessage>(
    method: string,
    input: I,
    output: O,
    init: MessageInitShape<I>,
  ): Promise<MessageShape<O>> {
    const body = toBinary(input, create(input, init));
    const res = await pool.request({
      path: `${servicePath}/${method}`,
      method: "POST",
      headers,
      body,
    });
    const bytes = new Uint8Array(await res.body.arrayBuffer());
    if (res.statusCode !== 200) {
      throw new Error(
        `${method}: HTTP ${res.statusCode} ${Buffer.from(bytes).toString()}`,
      );
    }
    return fromBinary(output, bytes);
  }
  return {
    createList: (init) =>
      call("CreateList", CreateListRequestSchema, CreateListResponseSchema, init),
    createTask: (init) =>
      call("CreateTask", CreateTaskRequestSchema, CreateTaskResponseSchema, init),
    listTasks: (init) =>
      call("ListTasks", ListTasksRequestSchema, ListTasksResponseSchema, init),
    close: () => pool.close(),
  };
}
