// db is the door to Postgres: the pool type every repository takes, how to open it (server URL or
// embedded PGlite), the one error type with its SQLSTATE funnel, and the migrator.
export { type ConnectOptions, connectDb, type Db, type Pool, type Tx } from "./connect.js";
export { type EmbeddedOptions, type EmbeddedPostgres, startEmbedded } from "./embedded.js";
export { DbError, type DbErrorCode, dbCall, toDbError } from "./errors.js";
export { createMigrationFile, loadMigrations, MIGRATIONS_DIR, type Migration } from "./migration-files.js";
export {
  type MigrationStatus,
  type MigrationStep,
  type MigratorOptions,
  migrateDown,
  migrateReset,
  migrateUp,
  migrationStatus,
} from "./migrator.js";
export { type Database, type DatabaseConfig, DEFAULT_EMBEDDED_DIR, openDatabase } from "./open.js";
export { type TransactionOptions, withTransaction } from "./tx.js";
