// Stands in for your own test helper: a client on a fresh, empty database (or schema) per case.
import type { Sql } from './my-store.ts';

export declare function freshDatabase(): Promise<Sql & { end(): Promise<void> }>;
