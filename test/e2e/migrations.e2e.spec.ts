import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { TestDatabase, freshDatabase } from '../support/exchange-process';

// TypeORM drives PostgreSQL directly here: runs in `npm run test:pg` (the embedded database lives in the exchange).
const describeWithPostgres = process.env.E2E_DATABASE === 'postgres' ? describe : describe.skip;

describeWithPostgres('migrations', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await freshDatabase();
    dataSource = new DataSource({
      type: 'postgres',
      url: database.env.DATABASE_URL,
      migrations: MIGRATIONS,
      migrationsTransactionMode: 'each',
    });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const tables = async () =>
    (
      await dataSource.query(
        `select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
      )
    ).map((r: { table_name: string }) => r.table_name);

  it('every migration goes up, comes down with its down(), and goes up again', async () => {
    expect(await dataSource.runMigrations()).toHaveLength(MIGRATIONS.length);
    const schema = await tables();
    expect(schema).toEqual(expect.arrayContaining(['orders', 'ledger_entries', 'outbox']));
    for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration();
    expect(await tables()).toEqual(['migrations']);
    expect(await dataSource.runMigrations()).toHaveLength(MIGRATIONS.length);
    expect(await tables()).toEqual(schema);
  });
});
