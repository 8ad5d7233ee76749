import { DbError } from './db-error';

/** int8 and numeric arrive as string (pg), number or bigint (PGlite); the domain wants a number. */
export function toNumber(value: string | number | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

/** NaN and ±Infinity are valid Postgres numerics, but never valid prices or times: refuse them here. */
export function finite(value: number, field: string): number {
  if (!Number.isFinite(value))
    throw new DbError('invalid_value', `${field} must be a finite number, got ${value}`);
  return value;
}
