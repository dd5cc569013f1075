import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

/**
 * The password policy: at least 12 characters and a strength estimate of 3 of 4 or more from zxcvbn-ts (the
 * maintained TypeScript port of Dropbox's zxcvbn): common passwords, dictionary words, keyboard patterns,
 * repeats, sequences and dates are scored by how fast they would be guessed, so `aaaaaaaaaaaa` and
 * `password1234` are refused while a phrase of ordinary words passes. Score 3 is "safely unguessable:
 * moderate protection from an offline attack on a slow hash" — and the hash is scrypt.
 */
export const MIN_PASSWORD_LENGTH = 12;
export const MIN_PASSWORD_SCORE = 3;

let estimator: ZxcvbnFactory | undefined;

/** Why a password is refused, in one sentence; undefined when it is strong enough. */
export function passwordWeakness(password: string, userInputs: readonly string[] = []): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `a password needs at least ${String(MIN_PASSWORD_LENGTH)} characters`;
  }
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  const result = estimator.check(password, [...userInputs]);
  if (result.score >= MIN_PASSWORD_SCORE) return undefined;
  const hints = [result.feedback.warning, ...result.feedback.suggestions].filter(
    (h): h is string => typeof h === 'string' && h !== '',
  );
  return `this password is too easy to guess${hints.length > 0 ? ` (${hints.join(' ')})` : ''}; a few unrelated words make a strong one`;
}
