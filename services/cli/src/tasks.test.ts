import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliUser, createCliUser } from "./testing/cli-runner.js";
import { type FakeStack, startFakeStack } from "./testing/fake-stack.js";

let stack: FakeStack;
let alice: CliUser;
let bob: CliUser;

beforeAll(async () => {
  stack = await startFakeStack();
  [alice, bob] = await Promise.all([createCliUser(stack.url), createCliUser(stack.url)]);
  for (const [user, name] of [
    [alice, "alice"],
    [bob, "bob"],
  ] as const) {
    await user.run(["register", name], { stdin: `${name} password\n` });
    await user.run(["login", name], { stdin: `${name} password\n` });
  }
});

afterAll(async () => {
  await Promise.all([alice.cleanup(), bob.cleanup()]);
  await stack.close();
});

const json = async (user: CliUser, argv: string[]) => {
  const result = await user.run(["--json", ...argv]);
  expect(result).toMatchObject({ code: 0, stderr: "" });
  return JSON.parse(result.stdout);
};

describe("task commands", () => {
  it("prints protobuf JSON that parses with --json", async () => {
    const added = await json(alice, [
      "add",
      "Call",
      "mom",
      "--due",
      "2026-12-24T10:00",
      "--tz",
      "Europe/Paris",
    ]);
    expect(added.task).toMatchObject({
      title: "Call mom",
      due: { time: "2026-12-24T09:00:00Z", timeZone: "Europe/Paris" },
    });
    const listed = await json(alice, ["ls"]);
    expect(listed.tasks.map((t: { id: string }) => t.id)).toContain(added.task.id);
    expect((await json(alice, ["show", added.task.id])).task.version).toBe("1");
    expect((await json(alice, ["lists"])).lists[0]).toMatchObject({ isDefault: true });
  });

  it("takes a title starting with a dash after --", async () => {
    const { task } = await json(alice, ["add", "--", "-5 degrees:", "wear a coat"]);
    expect(task.title).toBe("-5 degrees: wear a coat");
    expect((await alice.run(["rm", task.id])).code).toBe(0);
  });

  it("prints tasks as an aligned table by default", async () => {
    await alice.run(["add", "Buy milk", "--due", "2026-12-20"]);
    const { stdout } = await alice.run(["ls", "--sort", "due"]);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+DONE\s+TITLE\s+DUE\s+LIST$/);
    expect(lines[1]).toMatch(/\[ \]\s+Buy milk\s+2026-12-20\s+Inbox$/);
    expect(lines[2]).toMatch(/Call mom\s+2026-12-24 10:00 Europe\/Paris\s+Inbox$/);
    expect(lines[1]?.indexOf("Buy milk")).toBe(lines[0]?.indexOf("TITLE"));
  });

  it("edits with the version from a fresh read and a mask of the given fields", async () => {
    const { task } = await json(alice, ["add", "Draft"]);
    await alice.run(["done", task.id]);
    const result = await alice.run(["edit", task.id, "--title", "Final", "--no-due"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const sent = stack.todo.updates.at(-1);
    expect(sent?.updateMask?.paths).toEqual(["title", "due"]);
    expect(sent?.expectedVersion).toBe(2n);
    expect(sent?.task?.title).toBe("Final");
    expect((await json(alice, ["show", task.id])).task).toMatchObject({
      title: "Final",
      completed: true,
    });
  });

  it("says to run the command again when the task changed meanwhile (ABORTED)", async () => {
    const { task } = await json(alice, ["add", "Contended"]);
    stack.todo.raceNextUpdate();
    const result = await alice.run(["edit", task.id, "--notes", "mine"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^microtodo: task \S+ was changed by someone else.*run the command again\n$/,
    );
  });

  it("accepts an id prefix unique among visible tasks, refuses ambiguous or short ones", async () => {
    await alice.run(["add", "One more"]);
    const shared = await alice.run(["show", "t-0000"]);
    expect(shared).toMatchObject({ code: 1, stdout: "" });
    expect(shared.stderr).toMatch(
      /^microtodo: 't-0000' matches \d+ tasks \(t-0000\d\d, /,
    );

    // Bob sees one task, so a prefix Alice's tasks share is unique for him.
    const { task } = await json(bob, ["add", "Bob's only task"]);
    const byPrefix = await bob.run(["done", "t-0000"]);
    expect(byPrefix.stdout).toBe(`done: "Bob's only task" (${task.id})\n`);
    expect((await bob.run(["show", "t-0"])).stderr).toMatch(/^microtodo: not found: /);
  });

  it("moves, shares with view and edit, unshares and deletes", async () => {
    const first = (await json(alice, ["add", "First"])).task;
    const second = (await json(alice, ["add", "Second"])).task;
    expect((await alice.run(["mv", second.id, "--before", first.id])).code).toBe(0);
    const order = (await json(alice, ["ls"])).tasks.map(
      (t: { title: string }) => t.title,
    );
    expect(order.indexOf("Second")).toBe(order.indexOf("First") - 1);

    await alice.run(["share", first.id, "bob"]);
    expect((await bob.run(["edit", first.id, "--title", "x"])).stderr).toMatch(
      /permission denied/,
    );
    await alice.run(["share", first.id, "bob", "--edit"]);
    expect((await bob.run(["done", first.id])).code).toBe(0);
    const shared = await bob.run(["shared"]);
    expect(shared.stdout).toMatch(/\[x\]\s+First\s+from alice \(edit\)/);

    await alice.run(["unshare", first.id, "bob"]);
    expect((await json(bob, ["shared"])).tasks ?? []).toEqual([]);
    expect(await alice.run(["rm", first.id])).toMatchObject({ code: 0, stderr: "" });
    expect((await alice.run(["show", first.id])).stderr).toMatch(/^microtodo: not found/);
  });

  it("reads one page by default and every page with --all", async () => {
    const { list } = await json(alice, ["lists", "add", "Many"]);
    for (let i = 0; i < 55; i++) await alice.run(["add", `Task ${i}`, "--list", "Many"]);
    const firstPage = await alice.run(["ls", "--list", list.id]);
    expect(firstPage.stdout.trimEnd().split("\n")).toHaveLength(51);
    expect(firstPage.stderr).toContain("add --all");
    const all = await alice.run(["ls", "--list", "Many", "--all"]);
    expect(all.stdout.trimEnd().split("\n")).toHaveLength(56);
    expect(all.stderr).toBe("");
  });
});
