import type { ColumnType } from 'kysely';

/** JSON columns: written as a string or value, read back as the parsed value. */
export type Json<T> = ColumnType<T, string, string>;
