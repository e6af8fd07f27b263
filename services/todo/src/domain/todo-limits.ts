/** The limits the todo service enforces, each refused with INVALID_ARGUMENT. */
export interface TodoLimits {
  /** Longest task title, in characters (code points); default 1024. */
  readonly maxTitleChars: number;
  /** Longest task notes, in characters; default 8192. */
  readonly maxNotesChars: number;
  /** Longest list name, in characters; default 256. */
  readonly maxListNameChars: number;
  /** Tasks one list may hold; default 10000. */
  readonly maxTasksPerList: number;
  /** Lists one user may own, the default list included; default 100. */
  readonly maxListsPerUser: number;
  /** Users one task may be shared with; default 100. */
  readonly maxSharesPerTask: number;
  /** Page size when the request says 0; default 50. */
  readonly defaultPageSize: number;
  /** Largest page a request may ask for; default 200. */
  readonly maxPageSize: number;
}

/** The limits from the service's contract. */
export const DEFAULT_TODO_LIMITS: TodoLimits = Object.freeze({
  maxTitleChars: 1024,
  maxNotesChars: 8192,
  maxListNameChars: 256,
  maxTasksPerList: 10_000,
  maxListsPerUser: 100,
  maxSharesPerTask: 100,
  defaultPageSize: 50,
  maxPageSize: 200,
});
