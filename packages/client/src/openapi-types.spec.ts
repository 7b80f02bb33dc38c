import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const PACKAGE = join(__dirname, '..');

describe('the generated REST types', () => {
  it('are what openapi-typescript makes of the committed document (run `npm run openapi` after an API change)', () => {
    const script = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')).scripts.generate as string;
    const args = script.split(' ').slice(1, script.split(' ').indexOf('--output'));
    const generated = execFileSync(
      join(PACKAGE, '..', '..', 'node_modules', '.bin', 'openapi-typescript'),
      args,
      {
        cwd: PACKAGE,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    expect(generated).toBe(readFileSync(join(PACKAGE, 'src', 'generated', 'openapi.ts'), 'utf8'));
  });
});
