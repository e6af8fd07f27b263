import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CliError, InterruptedError } from "./cli-errors.js";
import type { InputStream } from "./cli-io.js";
import { readNewPassword, readPassword } from "./password-prompt.js";

/** A terminal stand-in: a stream that says it is a TTY and records raw mode. */
function fakeTerminal() {
  const modes: boolean[] = [];
  const stream = Object.assign(new PassThrough(), {
    isTTY: true,
    setRawMode: (raw: boolean) => modes.push(raw),
  });
  return { stream: stream as InputStream & PassThrough, modes };
}

function sink() {
  let text = "";
  return { write: (t: string) => (text += t), text: () => text };
}

describe("readPassword", () => {
  it("reads the first line of piped stdin", async () => {
    const stdin = Readable.from(["s3cret pass\r\nsecond line\n"]);
    const stderr = sink();
    expect(await readPassword({ stdin, stderr, fromStdin: false }, "Password: ")).toBe(
      "s3cret pass",
    );
    expect(stderr.text()).toBe("");
  });

  it("reads a terminal in raw mode, echoing only the prompt", async () => {
    const { stream, modes } = fakeTerminal();
    const stderr = sink();
    const pending = readPassword(
      { stdin: stream, stderr, fromStdin: false },
      "Password: ",
    );
    stream.write("hunxy\u007f\u007fter\u001b[D2");
    stream.write("é\r");
    expect(await pending).toBe("hunter2é");
    expect(stderr.text()).toBe("Password: \n");
    expect(modes).toEqual([true, false]);
  });

  it("aborts on Ctrl-C and leaves raw mode", async () => {
    const { stream, modes } = fakeTerminal();
    const pending = readPassword(
      { stdin: stream, stderr: sink(), fromStdin: false },
      "P: ",
    );
    stream.write("abc\u0003");
    await expect(pending).rejects.toBeInstanceOf(InterruptedError);
    expect(modes).toEqual([true, false]);
  });

  it("asks twice on a terminal for a new password and refuses a mismatch", async () => {
    const { stream } = fakeTerminal();
    const pending = readNewPassword({ stdin: stream, stderr: sink(), fromStdin: false });
    stream.write("first one\r");
    await new Promise((resolve) => setImmediate(resolve));
    stream.write("other one\r");
    await expect(pending).rejects.toBeInstanceOf(CliError);
  });
});
