import { StringDecoder } from "node:string_decoder";
import { CliError, InterruptedError } from "./cli-errors.js";
import type { InputStream, TextSink } from "./cli-io.js";

/** Where a password comes from. */
export interface PasswordSource {
  readonly stdin: InputStream;
  /** Where the prompt goes; the password itself is never echoed. */
  readonly stderr: TextSink;
  /** --password-stdin: read the first line of stdin even on a terminal. */
  readonly fromStdin: boolean;
}

/**
 * Reads a password: hidden from a terminal after `prompt`, or the first line
 * of stdin when it is a pipe or a file (or --password-stdin). Never argv,
 * where other users could read it in the process list.
 */
export async function readPassword(
  source: PasswordSource,
  prompt: string,
): Promise<string> {
  const { stdin, stderr } = source;
  const password =
    source.fromStdin || !stdin.isTTY || !stdin.setRawMode
      ? await readFirstLine(stdin)
      : await readHiddenLine(stdin, stderr, prompt);
  if (password === "") throw new CliError("no password given");
  return password;
}

/** Like readPassword, asking twice on a terminal so a typo is caught. */
export async function readNewPassword(source: PasswordSource): Promise<string> {
  const password = await readPassword(source, "Password: ");
  if (source.fromStdin || !source.stdin.isTTY) return password;
  const again = await readPassword(source, "Password again: ");
  if (again !== password) throw new CliError("the passwords differ; nothing was changed");
  return password;
}

/** The first line of a stream, without its line ending. */
export function readFirstLine(stream: InputStream): Promise<string> {
  const decoder = new StringDecoder("utf8");
  let text = "";
  return new Promise((resolve, reject) => {
    const finish = () => {
      stream.off("data", onData).off("end", onEnd).off("error", onError);
      stream.pause();
      resolve(text.split(/\r?\n/)[0] ?? "");
    };
    const onData = (chunk: Buffer | string) => {
      text += typeof chunk === "string" ? chunk : decoder.write(chunk);
      if (text.includes("\n")) finish();
    };
    const onEnd = () => {
      text += decoder.end();
      finish();
    };
    const onError = (err: Error) => reject(err);
    stream.on("data", onData).on("end", onEnd).on("error", onError);
    stream.resume();
  });
}

/**
 * Reads a line from a terminal in raw mode, echoing nothing. Backspace
 * erases, Ctrl-U clears, Enter ends, Ctrl-C aborts; arrow keys and other
 * escape sequences are ignored.
 */
export function readHiddenLine(
  tty: InputStream,
  stderr: TextSink,
  prompt: string,
): Promise<string> {
  const setRawMode = tty.setRawMode?.bind(tty) ?? (() => undefined);
  const decoder = new StringDecoder("utf8");
  const line = createHiddenLineEditor();
  stderr.write(prompt);
  setRawMode(true);
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer | string) => {
      const keys = typeof chunk === "string" ? chunk : decoder.write(chunk);
      const outcome = line.type(keys);
      if (outcome === "typing") return;
      tty.off("data", onData);
      setRawMode(false);
      tty.pause();
      stderr.write("\n");
      if (outcome === "interrupted") reject(new InterruptedError("interrupted"));
      else resolve(line.value());
    };
    tty.on("data", onData);
    tty.resume();
  });
}

type LineOutcome = "typing" | "entered" | "interrupted";

function createHiddenLineEditor() {
  let chars: string[] = [];
  let inEscape = false;
  const handle = (ch: string): LineOutcome => {
    if (inEscape) {
      // An escape sequence ends with a letter or "~" ("\x1b[A", "\x1b[3~").
      inEscape = !/[A-Za-z~]/.test(ch);
      return "typing";
    }
    if (ch === "\r" || ch === "\n" || ch === "\u0004") return "entered";
    if (ch === "\u0003") return "interrupted";
    if (ch === "\u007f" || ch === "\b") chars.pop();
    else if (ch === "\u0015") chars = [];
    else if (ch === "\u001b") inEscape = true;
    else if (ch >= " ") chars.push(ch);
    return "typing";
  };
  return {
    type(keys: string): LineOutcome {
      for (const ch of keys) {
        const outcome = handle(ch);
        if (outcome !== "typing") return outcome;
      }
      return "typing";
    },
    value: () => chars.join(""),
  };
}
