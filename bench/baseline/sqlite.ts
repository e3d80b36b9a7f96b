/**
 * better-sqlite3 without Prisma, for the baseline. It is already installed as the engine under
 * Prisma's SQLite adapter; these few lines of types stand in for a @types package.
 */
export type Row = Record<string, string | number | null> & { id: string; timestamp: string | number };

export interface Statement {
  get(...params: unknown[]): Row | undefined;
  all(...params: unknown[]): Row[];
  run(...params: unknown[]): unknown;
}

export interface Database {
  prepare(sql: string): Statement;
  pragma(sql: string): unknown;
  /** Wraps `work` so that calling the result runs it in one transaction. */
  transaction(work: () => void): () => void;
  close(): void;
}

export function openDatabase(file: string, options: { readonly?: boolean } = {}): Database {
  const BetterSqlite3 = require("better-sqlite3") as new (file: string, options?: object) => Database;
  return new BetterSqlite3(file, { fileMustExist: true, readonly: options.readonly ?? false });
}
