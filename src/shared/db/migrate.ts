// migrate is the migration command: `node --import tsx src/shared/db/migrate.ts <up|down|reset|status|
// create name=…>`. It uses DATABASE_URL, or the embedded PGlite data directory when that is unset
// (WRENN_PGLITE_DIR overrides the default .state/pglite), exactly as the control plane would.
import { createMigrationFile, fileName } from "./migration-files.js";
import { type MigrationStep, migrateDown, migrateReset, migrateUp, migrationStatus } from "./migrator.js";
import { openDatabase } from "./open.js";

const USAGE = "usage: migrate.ts up | down | reset | status | create name=<snake_case_name>";

function print(steps: MigrationStep[]): void {
  if (steps.length === 0) console.log("migrate: nothing to do");
  for (const s of steps) {
    console.log(`migrate: ${s.direction === "up" ? "applied " : "reverted"} ${fileName(s.version, s.name)}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "create") {
    const arg = rest.find((a) => a.startsWith("name=")) ?? rest[0] ?? "";
    console.log(`migrate: created ${await createMigrationFile(arg.replace(/^name=/, ""))}`);
    return 0;
  }
  if (!command || !["up", "down", "reset", "status"].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const db = await openDatabase({
    url: process.env.DATABASE_URL,
    ...(process.env.WRENN_PGLITE_DIR ? { embeddedDataDir: process.env.WRENN_PGLITE_DIR } : {}),
  });
  try {
    if (db.embedded) console.log("migrate: DATABASE_URL is unset, using the embedded PGlite database");
    if (command === "up") print(await migrateUp(db.sql));
    else if (command === "down") print(await migrateDown(db.sql));
    else if (command === "reset") print(await migrateReset(db.sql));
    else {
      for (const s of await migrationStatus(db.sql)) {
        console.log(`${fileName(s.version, s.name)}  ${s.appliedAt?.toISOString() ?? "pending"}`);
      }
    }
    return 0;
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`migrate: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
