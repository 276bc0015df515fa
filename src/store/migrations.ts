// One migration runner for both stores. A store's schema is a list of migrations, numbered
// from 1 by their place in the list and recorded in schema_migrations once applied; a
// shipped migration is never edited. Each store says how to do the steps in its dialect.

export interface MigrationTarget {
  /** Runs `work` as one unit that other engines starting together wait for. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /** Creates schema_migrations if it is missing. */
  ensureTable(): Promise<void> | void;
  appliedVersions(): Promise<readonly number[]> | readonly number[];
  /** Runs one migration and records its version, both or neither. */
  apply(version: number, sql: string): Promise<void> | void;
}

/** Applies every migration not yet recorded, in order; returns the versions it applied. */
export function runMigrations(
  target: MigrationTarget,
  migrations: readonly string[],
): Promise<number[]> {
  return target.exclusive(async () => {
    await target.ensureTable();
    const applied = new Set(await target.appliedVersions());
    const ran: number[] = [];
    for (const [index, sql] of migrations.entries()) {
      const version = index + 1;
      if (applied.has(version)) continue;
      await target.apply(version, sql);
      ran.push(version);
    }
    return ran;
  });
}
