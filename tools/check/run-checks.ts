// Runs the conformance checks against a server and reports one line per check: PASS, FAIL
// (with the request, the reply and what was expected), WARN (a decision check that failed
// while --strict is off) or SKIP (a check that cannot tell on this server, and why).

import { CHECKS, type Check } from './checks.js';
import { CheckContext, CheckFailure, CheckSkipped } from './context.js';
import { EXTENSION_CHECKS, FEE_CHECKS } from './extension-checks.js';
import type { FeeSchedule } from './money.js';

export interface CheckOptions {
  readonly host: string;
  readonly port: number;
  /** Decision checks fail instead of warning. */
  readonly strict: boolean;
  readonly timeoutMs?: number;
  /** Only the checks whose name contains this. */
  readonly only?: string;
  /** Also the checks of the optional extensions (docs/extensions.md). */
  readonly extensions?: boolean;
  /**
   * The server charges these fees: run the fee checks instead of the others, which all
   * assume a server without fees (a buy reserving exactly amount × limit, say).
   */
  readonly fees?: FeeSchedule;
}

/** The checks these options ask for, in the order they run. */
export function selectChecks(options: Pick<CheckOptions, 'extensions' | 'fees' | 'only'>): Check[] {
  const checks =
    options.fees !== undefined
      ? FEE_CHECKS
      : options.extensions === true
        ? [...CHECKS, ...EXTENSION_CHECKS]
        : CHECKS;
  return checks.filter((c) => options.only === undefined || c.name.includes(options.only));
}

export interface CheckOutcome {
  readonly check: Check;
  readonly verdict: 'pass' | 'fail' | 'warn' | 'skip';
  readonly failure?: CheckFailure;
  /** Why a skipped check could not tell. */
  readonly reason?: string;
}

export interface CheckReport {
  readonly outcomes: readonly CheckOutcome[];
  readonly ok: boolean;
}

export async function runChecks(
  options: CheckOptions,
  onOutcome: (outcome: CheckOutcome) => void = () => {},
): Promise<CheckReport> {
  const ctx = new CheckContext(options.host, options.port, options.timeoutMs, options.fees);
  const outcomes: CheckOutcome[] = [];
  for (const check of selectChecks(options)) {
    let outcome: CheckOutcome;
    try {
      await check.run(ctx);
      outcome = { check, verdict: 'pass' };
    } catch (error) {
      if (error instanceof CheckSkipped) {
        outcome = { check, verdict: 'skip', reason: error.message };
      } else {
        const failure =
          error instanceof CheckFailure
            ? error
            : new CheckFailure(error instanceof Error ? error.message : String(error));
        const verdict = check.level === 'decision' && !options.strict ? 'warn' : 'fail';
        outcome = { check, verdict, failure };
      }
    }
    outcomes.push(outcome);
    onOutcome(outcome);
  }
  return { outcomes, ok: outcomes.every((o) => o.verdict !== 'fail') };
}

const indent = (text: string): string => text.trimEnd().replace(/\n/g, '\n           ');

export function formatOutcome(outcome: CheckOutcome): string {
  const label = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' }[outcome.verdict];
  const level = outcome.check.level === 'decision' ? ' (decision)' : '';
  const lines = [`${label}  ${outcome.check.name}${level}`];
  if (outcome.reason !== undefined) lines.push(`      because:  ${outcome.reason}`);
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
  // Only a run that skipped something says so, so that the usual summary stays as it was.
  const skipped = count('skip') === 0 ? '' : `, ${count('skip')} skipped`;
  return (
    `${report.outcomes.length} checks: ${count('pass')} passed, ${count('fail')} failed, ` +
    `${count('warn')} warnings (decision checks; --strict makes them failures)${skipped}`
  );
}
