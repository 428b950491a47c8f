/**
 * @sess/migrate-express-session: moves users from express-session to sess without logging them
 * out. A legacy `connect.sid` cookie, checked against the old secrets, is converted once into a
 * sess session; the legacy record is taken from its store (connect-redis, connect-pg-simple, any
 * express-session store with a claim) atomically, so a copied cookie cannot convert twice.
 *
 * @packageDocumentation
 */
export { type ExpressRequestLike, type ExpressResponseLike, expressMigration } from './express.ts';
export {
  type CallbackStoreLike,
  type ConnectPgSimpleLike,
  type ConnectRedisLike,
  connectPgSimpleStore,
  connectRedisStore,
  type ExpressSessionStoreOptions,
  expressSessionStore,
  type LegacySession,
  type LegacyStore,
} from './legacy-store.ts';
export {
  createMigration,
  type LegacyCookieOptions,
  type LegacyResolver,
  type Migration,
  type MigrationGrant,
  type MigrationOptions,
  type MigrationRefusal,
  type MigrationResult,
} from './migration.ts';
export { type UnsignFailure, unsignLegacyCookie } from './signature.ts';
