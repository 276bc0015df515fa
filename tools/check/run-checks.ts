// Runs the conformance checks against a server and reports one line per check: PASS, FAIL
// (with the request, the reply and what was expected) or WARN (a decision check that failed
// while --strict is off).

import { CHECKS, type Check } from './checks.js';
import { CheckContext, CheckFailure } from './context.js';

export interface CheckOptions {
  readonly host: string;
  readonly port: number;
  /** Decision checks fail instead of warning. */
  readonly strict: boolean;
  readonly timeoutMs?: number;
  /** Only the checks whose name contains this. */
  readonly only?: string;
}

export interface CheckOutcome {
  readonly check: Check;
  readonly verdict: 'pass' | 'fail' | 'warn';
  readonly failure?: CheckFailure;
}

export interface CheckReport {
  readonly outcomes: readonly CheckOutcome[];
  readonly ok: boolean;
}

export async function runChecks(
  options: CheckOptions,
  onOutcome: (outcome: CheckOutcome) => void = () => {},
): Promise<CheckReport> {
  const ctx = new CheckContext(options.host, options.port, options.timeoutMs);
  const outcomes: CheckOutcome[] = [];
  for (const check of CHECKS) {
    if (options.only !== undefined && !check.name.includes(options.only)) continue;
    let outcome: CheckOutcome;
    try {
      await check.run(ctx);
      outcome = { check, verdict: 'pass' };
    } catch (error) {
      const failure =
        error instanceof CheckFailure
          ? error
          : new CheckFailure(error instanceof Error ? error.message : String(error));
      const verdict = check.level === 'decision' && !options.strict ? 'warn' : 'fail';
      outcome = { check, verdict, failure };
    }
    outcomes.push(outcome);
    onOutcome(outcome);
  }
  return { outcomes, ok: outcomes.every((o) => o.verdict !== 'fail') };
}

const indent = (text: string): string => text.trimEnd().replace(/\n/g, '\n           ');

export function formatOutcome(outcome: CheckOutcome): string {
  const label = { pass: 'PASS', fail: 'FAIL', warn: 'WARN' }[outcome.verdict];
  const level = outcome.check.level === 'decision' ? ' (decision)' : '';
  const lines = [`${label}  ${outcome.check.name}${level}`];
  const f = outcome.failure;
  if (f !== undefined) {
    lines.push(`      expected: ${f.message}`);
    if (f.request !== undefined) lines.push(`      request:  ${indent(f.request)}`);
    if (f.reply !== undefined) lines.push(`      reply:    ${indent(f.reply)}`);
  }
  return lines.join('\n');
}

export function formatSummary(report: CheckReport): string {
  const count = (v: CheckOutcome['verdict']): number =>
    report.outcomes.filter((o) => o.verdict === v).length;
  return (
    `${report.outcomes.length} checks: ${count('pass')} passed, ${count('fail')} failed, ` +
    `${count('warn')} warnings (decision checks; --strict makes them failures)`
  );
}
