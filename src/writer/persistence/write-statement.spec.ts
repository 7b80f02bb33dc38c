import { WriteStatement } from './write-statement';

describe('WriteStatement', () => {
  it('renumbers each part’s parameters after the ones before it', () => {
    const s = new WriteStatement();
    const a = s.add('insert into a (x, y) select * from unnest($1::int[], $2::text[])', [[1], ['one']]);
    const b = s.add('update b set z = $1 where id = $2 returning 1', [5, 7]);
    s.expectRows(b, 1, 'b rows');
    expect([a, b]).toEqual(['w0', 'w1']);
    expect(s.text).toBe(
      'with w0 as (insert into a (x, y) select * from unnest($1::int[], $2::text[])),\n' +
        'w1 as (update b set z = $3 where id = $4 returning 1)\n' +
        'select expect_rows((select count(*) from w1), $5::bigint, $6::text)',
    );
    expect(s.params).toEqual([[1], ['one'], 5, 7, 1, 'b rows']);
  });
});
