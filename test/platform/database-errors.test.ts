import { databaseProblem, rolledBackByRow } from '../../src/db/errors.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('databaseProblem: which database failures a client should retry', () => {
  test.each([
    ['the server shutting down (57P01)', withCode('57P01', 'terminating connection due to administrator command')],
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a connection cut mid-query', new Error('Connection terminated unexpectedly')],
    ['a pool already ended by a shutdown', new Error('Cannot use a pool after calling end on the pool')],
    ['too many connections (53300)', withCode('53300', 'sorry, too many clients already')],
    ['a failure wrapped by the query builder', Object.assign(new Error('Failed query'), { cause: withCode('08006') })],
  ])('%s is a 503 service_unavailable with Retry-After', (_name, err) => {
    const problem = databaseProblem(err);
    expect(problem?.code).toBe('service_unavailable');
    expect(problem?.status).toBe(503);
    expect(problem?.headers?.['retry-after']).toBe('5');
  });

  test('a statement timeout (57014) is a 503 timeout', () => {
    expect(databaseProblem(withCode('57014', 'canceling statement due to statement timeout'))?.code).toBe('timeout');
  });

  test.each([
    ['a unique violation', withCode('23505', 'duplicate key value')],
    ['a syntax error', withCode('42601', 'syntax error at or near')],
    ['a plain bug', new TypeError('x is undefined')],
  ])('%s is not retryable: left to the caller (a 4xx translation or a 500)', (_name, err) => {
    expect(databaseProblem(err)).toBeUndefined();
  });
});

describe('rolledBackByRow: which failures of a many-row statement may be put down to one row', () => {
  test.each([
    ['an exclusion violation (23P01)', withCode('23P01')],
    ['a check violation (23514)', withCode('23514')],
    ['write_guard (VH001)', withCode('VH001')],
    ['a deadlock (40P01)', withCode('40P01')],
    ['a wrapped unique violation', Object.assign(new Error('Failed query'), { cause: withCode('23505') })],
  ])('%s: yes, the statement rolled back', (_name, err) => {
    expect(rolledBackByRow(err)).toBe(true);
  });

  test.each([
    ['a statement timeout (57014)', withCode('57014')],
    ['a connection cut mid-query', new Error('Connection terminated unexpectedly')],
    ['a reset connection', withCode('ECONNRESET')],
    ['a plain bug', new TypeError('x is undefined')],
  ])('%s: no, the statement may have committed', (_name, err) => {
    expect(rolledBackByRow(err)).toBe(false);
  });
});
