// The failure classes and the one table per boundary that maps them: every code survives a
// thread or a link as the same class, and every failure a submit rejects with has an answer
// at each boundary.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CommitOutcomeUnknown,
  EngineUnavailable,
  FAILURE_MESSAGES,
  failureCode,
  failureFromCode,
  Fenced,
  NotLeader,
  OutcomeUnknown,
  Overloaded,
  StoreFailure,
  type FailureCode,
} from '../../src/errors/failures.js';
import { linkFailure, linkFailureCode } from '../../src/gateway/codec.js';
import { ERROR_STATUS, httpFailureCode } from '../../src/http/http-errors.js';
import { xmlReplyTo } from '../../src/protocol/failure-replies.js';

const EVERY: Record<FailureCode, () => Error> = {
  OVERLOADED: () => new Overloaded(),
  ENGINE_UNAVAILABLE: () => new EngineUnavailable(),
  STORE_UNAVAILABLE: () => StoreFailure.causedBy(new Error('connection refused')),
  OUTCOME_UNKNOWN: () => new OutcomeUnknown(),
  NOT_LEADER: () => new NotLeader(),
  FENCED: () => new Fenced('fenced: epoch 3 no longer leads this exchange'),
  COMMIT_OUTCOME_UNKNOWN: () => new CommitOutcomeUnknown(),
};

test('every failure carries its code and is rebuilt as its own class from code and message', () => {
  for (const [code, make] of Object.entries(EVERY)) {
    const failure = make();
    assert.equal(failureCode(failure), code);
    const rebuilt = failureFromCode(code, failure.message);
    assert.equal(rebuilt.constructor, failure.constructor, code);
    assert.equal(rebuilt.message, failure.message);
  }
  assert.equal(failureCode(new Error('plain')), undefined);
  assert.equal(failureFromCode('NOT_A_CODE', 'x').constructor, Error);
  assert.equal(new Overloaded().message, FAILURE_MESSAGES.OVERLOADED);
  assert.match(StoreFailure.causedBy(new Error('disk full')).message, /: disk full$/);
});

/** What a submit (local or over a link) can reject with. */
const SUBMIT_FAILURES = [
  'OVERLOADED',
  'ENGINE_UNAVAILABLE',
  'STORE_UNAVAILABLE',
  'OUTCOME_UNKNOWN',
] as const satisfies readonly FailureCode[];

test('XML: refused as not executed with its own <error>, or no reply when the outcome is unknown', () => {
  for (const code of SUBMIT_FAILURES) {
    const reply = xmlReplyTo(EVERY[code]());
    assert.equal(reply, code === 'OUTCOME_UNKNOWN' ? null : code, code);
  }
  assert.equal(xmlReplyTo(new Error('bug')), undefined);
});

test('HTTP: 503 with the code for every submit failure; anything else is not mapped here', () => {
  for (const code of SUBMIT_FAILURES) {
    assert.equal(httpFailureCode(EVERY[code]()), code);
    assert.equal(ERROR_STATUS[code], 503, code);
  }
  assert.equal(httpFailureCode(new Error('bug')), undefined);
});

test('the link: what crosses goes as its code and comes back as the same class', () => {
  for (const code of ['STORE_UNAVAILABLE', 'OVERLOADED', 'OUTCOME_UNKNOWN'] as const) {
    const sent = linkFailureCode(EVERY[code]());
    assert.equal(sent, code);
    assert.equal(failureCode(linkFailure(sent!)), code);
  }
  // An engine never says it is unreachable; a store's internals stay in the engine.
  assert.equal(linkFailureCode(new EngineUnavailable()), undefined);
  assert.equal(linkFailureCode(new Fenced()), undefined);
  assert.equal(failureCode(linkFailure('INTERNAL')), undefined);
});
