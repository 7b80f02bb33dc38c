import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `expect_rows`: lets a single write statement (see WriteStatement) fail as a whole when one of its parts did
 * not write the rows it had to, such as a balance row that is missing.
 */
export class WriteChecks1763900003000 implements MigrationInterface {
  name = 'WriteChecks1763900003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create function expect_rows(actual bigint, expected bigint, what text) returns boolean
      language plpgsql as $$
      begin
        if actual <> expected then
          raise exception '% of % rows written, % expected', actual, what, expected;
        end if;
        return true;
      end $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop function expect_rows(bigint, bigint, text)`);
  }
}
