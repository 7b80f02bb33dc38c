/** How an agent's `main` reads its environment: bad values stop it with a message naming them (exit 2). */
export function agentEnv(name: string) {
  const fail = (message: string): never => {
    process.stderr.write(`${name}: ${message}\n`);
    process.exit(2);
  };
  const whole = (raw: string | undefined, variable: string, fallback: number): number => {
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) fail(`${variable} must be a whole number, got "${raw}"`);
    return value;
  };
  return { fail, whole };
}
