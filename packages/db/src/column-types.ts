import type { ColumnType } from 'kysely';

/**
 * Column types as the drivers really return them. pg returns int8 and numeric as strings; PGlite
 * returns int8 as a number (a bigint above 2^53). Repositories turn these into domain numbers, so the
 * select types are deliberately loose: reading one without normalising does not type-check as a number.
 */
export type Int8 = ColumnType<string | number | bigint, number, number>;
export type Numeric = ColumnType<string | number, number, number>;
/** jsonb is written as JSON text (pg would turn a JS array into a Postgres array) and read parsed. */
export type Jsonb = ColumnType<unknown, string, string>;
export type Timestamptz = ColumnType<Date, Date, Date>;
export type TimestamptzWithDefault = ColumnType<Date, Date | undefined, Date>;
