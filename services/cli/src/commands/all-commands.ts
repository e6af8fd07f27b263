import type { CommandSpec } from "../command-spec.js";
import {
  loginCommand,
  logoutCommand,
  registerCommand,
  whoamiCommand,
} from "./account.js";
import {
  listsAddCommand,
  listsCommand,
  listsRenameCommand,
  listsRmCommand,
} from "./lists.js";
import { shareCommand, sharedCommand, unshareCommand } from "./sharing.js";
import { doneCommand, editCommand, mvCommand, undoneCommand } from "./task-changes.js";
import { addCommand, lsCommand, rmCommand, showCommand } from "./tasks.js";

/** Every command, in the order `microtodo --help` lists them. */
export const allCommands: readonly CommandSpec[] = [
  registerCommand,
  loginCommand,
  logoutCommand,
  whoamiCommand,
  listsCommand,
  listsAddCommand,
  listsRenameCommand,
  listsRmCommand,
  addCommand,
  lsCommand,
  showCommand,
  editCommand,
  doneCommand,
  undoneCommand,
  mvCommand,
  rmCommand,
  shareCommand,
  unshareCommand,
  sharedCommand,
];
