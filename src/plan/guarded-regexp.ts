/**
 * The user's regular expressions (`folders.rename[].from`), run with a time guard. JavaScript's
 * backtracking engine can take exponential time on patterns such as `^(a+)+$` (catastrophic
 * backtracking); a folder name from the server then hangs `plan`, and `run` ignores Ctrl-C since
 * the event loop never turns. Each match runs in a `vm` script with a timeout: Node's watchdog
 * interrupts V8 inside the regex engine, and the pattern is refused with its field and the folder.
 *
 * Why not another engine or a checker: `re2` is a native addon (node-gyp or a downloaded binary),
 * `re2-wasm` has not been released since 2021, and static checkers (`safe-regex2`'s star height)
 * refuse harmless patterns like `(\d+\.)+` while missing ambiguous ones like `^(\w|\d)+$`. A time
 * guard refuses exactly the patterns that are slow on the names at hand, whatever their shape.
 */
import vm from 'node:vm';
import { MailshiftError } from '../core/errors.js';

/** Longest a single match may take. Folder names are short: a sane pattern takes microseconds. */
export const REGEX_TIME_LIMIT_MS = 200;

const TEST = new vm.Script('re.test(text)');
const REPLACE = new vm.Script('text.replace(re, to)');

/**
 * Checks that a pattern compiles, for the plan's schema.
 * @returns undefined when it does, else the engine's message.
 */
export function regexSyntaxError(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** A user's regular expression whose every match is bounded in time. */
export class GuardedRegExp {
  private readonly context: vm.Context;

  /**
   * @param pattern JavaScript regular expression syntax
   * @param field where the pattern comes from, for messages (e.g. `folders.rename[0].from`)
   * @throws MailshiftError PLAN_BAD_RENAME when the pattern does not compile.
   */
  constructor(
    readonly pattern: string,
    readonly field: string,
  ) {
    const syntax = regexSyntaxError(pattern);
    if (syntax !== undefined) {
      throw new MailshiftError(`${field}: "${pattern}" is not a valid regular expression: ${syntax}`, {
        code: 'PLAN_BAD_RENAME',
        scope: 'run',
        hint: 'fix the pattern in the plan file (JavaScript regular expression syntax, groups as $1)',
      });
    }
    this.context = vm.createContext({ re: new RegExp(pattern), text: '', to: '' });
  }

  /** Whether `text` matches. @throws MailshiftError PLAN_SLOW_REGEX past the time limit. */
  test(text: string): boolean {
    return this.run(TEST, text, '') as boolean;
  }

  /** `text.replace(pattern, to)` (first match, `$1` groups). @throws MailshiftError PLAN_SLOW_REGEX */
  replace(text: string, to: string): string {
    return this.run(REPLACE, text, to) as string;
  }

  private run(script: vm.Script, text: string, to: string): unknown {
    this.context.text = text;
    this.context.to = to;
    try {
      return script.runInContext(this.context, { timeout: REGEX_TIME_LIMIT_MS });
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw err;
      const shown = text.length > 60 ? `${text.slice(0, 60)}...` : text;
      throw new MailshiftError(
        `${this.field}: "${this.pattern}" took more than ${REGEX_TIME_LIMIT_MS} ms on the folder "${shown}" (${text.length} characters): the pattern backtracks catastrophically`,
        {
          code: 'PLAN_SLOW_REGEX',
          scope: 'run',
          hint: 'rewrite it without a repetition inside a repetition (e.g. "^a+$" instead of "^(a+)+$"), then run again',
          cause: err,
        },
      );
    }
  }
}
