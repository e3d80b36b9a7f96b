/**
 * Column codecs: how the SQLite implementation's statements write a table's rows and read them back, declared once
 * per table (tables.ts) so that the column list of a statement and the values bound to it cannot drift apart.
 * Values are encoded as Prisma's SQLite adapter stores them — DateTime as ISO 8601 text with `+00:00`, Json as
 * text — so Prisma reads, compares and orders these rows exactly like its own; a stored date is read back as
 * Prisma reads it (that text, or epoch milliseconds).
 */
import type { Prisma } from "@prisma/client";

/** A value as better-sqlite3 binds and returns it. */
type SqlValue = string | number | bigint | Buffer | null;

/** How one column's values are stored and read back. */
export interface Column<Value> {
  encode: (value: Value) => SqlValue;
  decode: (stored: SqlValue) => Value;
}

const same = <Value extends SqlValue>(value: Value) => value;

export const text: Column<string> = { encode: same, decode: (stored) => stored as string };
export const integer: Column<number> = { encode: same, decode: (stored) => stored as number };
export const dateTime: Column<Date> = {
  encode: (date) => sqliteDateTime(date),
  decode: (stored) => new Date(stored as string | number),
};
/** Prisma's Json, stored as its text (a JSON null as SQL's NULL: declare the column `nullable(json)`). */
export const json: Column<Prisma.JsonValue> = {
  encode: (value) => JSON.stringify(value),
  decode: (stored) => JSON.parse(stored as string),
};

/** The column that may be NULL: SQL's NULL for null, the column's own encoding for anything else. */
export function nullable<Value>(column: Column<Value>): Column<Value | null> {
  return {
    encode: (value) => (value === null ? null : column.encode(value)),
    decode: (stored) => (stored === null ? null : column.decode(stored)),
  };
}

/** The adapter's default `iso8601` format: comparisons in WHERE clauses are text comparisons of this form. */
function sqliteDateTime(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}

/** Every column of a row type, each with its codec. */
export type Columns<Row> = { [Name in keyof Row]-?: Column<Row[Name]> };

/**
 * Some or all columns of one table, in declared order: the column list for an INSERT or a SELECT, the values bound
 * for a row, and the row decoded from what a SELECT returned.
 */
export class Codec<Row> {
  /** The column names, quoted and comma-separated: an INSERT's column list. */
  readonly columnList: string;
  /** One row's parameters, `?, ?, …`, and the same in parentheses (a row of VALUES). */
  readonly parameters: string;
  readonly placeholders: string;
  /** Each column: its name in the row, the name a SELECT of `select()` returns it under, and its codec. */
  private readonly entries: { name: keyof Row & string; key: string; column: Columns<Row>[keyof Row & string] }[];
  private readonly decodeRow: (stored: Record<string, SqlValue>) => Row;

  constructor(
    private readonly columns: Columns<Row>,
    /** Result columns are read under `<prefix><column>` (for a join whose tables share column names). */
    private readonly prefix = "",
  ) {
    const names = Object.keys(columns) as (keyof Row & string)[];
    this.entries = names.map((name) => ({ name, key: `${prefix}${name}`, column: columns[name] }));
    this.columnList = names.map((name) => `"${name}"`).join(", ");
    this.parameters = names.map(() => "?").join(", ");
    this.placeholders = `(${this.parameters})`;
    this.decodeRow = compileDecoder(this.entries);
  }

  /** The columns as a SELECT list, of table `alias` when given, each named as `decode` reads it. */
  select(alias?: string): string {
    const from = alias === undefined ? "" : `${alias}.`;
    return this.entries
      .map(({ name, key }) => (key === name && !from ? `"${name}"` : `${from}"${name}" AS "${key}"`))
      .join(", ");
  }

  /** The values of these rows, encoded, row after row in column order: what `placeholders` once per row binds. */
  values(rows: readonly Row[]): SqlValue[] {
    const values: SqlValue[] = new Array(rows.length * this.entries.length);
    let i = 0;
    for (const row of rows) for (const { name, column } of this.entries) values[i++] = column.encode(row[name]);
    return values;
  }

  /** One value of one column, as it is bound (a WHERE clause's or a SET's). */
  encode<Name extends keyof Row & string>(name: Name, value: Row[Name]): SqlValue {
    return this.columns[name].encode(value);
  }

  /** A row from what a SELECT of `select()` returned. */
  decode(raw: unknown): Row {
    return this.decodeRow(raw as Record<string, SqlValue>);
  }

  /** Only these columns, in this order. */
  pick<Name extends keyof Row & string>(...names: Name[]): Codec<Pick<Row, Name>> {
    const picked = {} as Columns<Pick<Row, Name>>;
    for (const name of names) picked[name] = this.columns[name];
    return new Codec(picked, this.prefix);
  }

  /** The same columns, read under `<prefix><column>`. */
  prefixed(prefix: string): Codec<Row> {
    return new Codec(this.columns, prefix);
  }
}

/**
 * The decoder of these columns as one function that builds the row as an object literal, each column's decode
 * called at a place of its own. A loop over the columns, reading and writing every property by a computed name,
 * took ~1 µs a row longer: a tenth of a backlog batch's time, against the hand-written decoders it replaced. The
 * source is made of the declared column names only.
 */
function compileDecoder<Row>(
  entries: { name: string; key: string; column: { decode: (stored: SqlValue) => unknown } }[],
): (stored: Record<string, SqlValue>) => Row {
  const properties = entries.map(
    ({ name, key }, i) => `${JSON.stringify(name)}: decoders[${i}](stored[${JSON.stringify(key)}])`,
  );
  const build = new Function("decoders", `return (stored) => ({ ${properties.join(", ")} });`);
  return build(entries.map(({ column }) => column.decode));
}

/** A whole table: every column of `Row` (Prisma's model type), so a column the model gains fails the compile here. */
export function table<Row>(columns: Columns<Row>): Codec<Row> {
  return new Codec(columns);
}
