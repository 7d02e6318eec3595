import { ConflictError } from '../../src/errors';
import { assertTransition, canTransition, isTerminal, TASK_STATES, transition, type TaskState } from '../../src/tasks/state-machine';

const LEGAL: [TaskState, TaskState][] = [
  ['SUBMITTED', 'RUNNING'],
  ['SUBMITTED', 'CANCELLED'],
  ['SUBMITTED', 'FAILED'],
  ['RUNNING', 'COMPLETED'],
  ['RUNNING', 'FAILED'],
  ['RUNNING', 'CANCELLED'],
];
const ALL_PAIRS = TASK_STATES.flatMap((from) => TASK_STATES.map((to) => [from, to] as [TaskState, TaskState]));
const ILLEGAL = ALL_PAIRS.filter(([f, t]) => !LEGAL.some(([lf, lt]) => lf === f && lt === t));

describe('task state machine', () => {
  it.each(LEGAL)('allows %s → %s', (from, to) => {
    // Prepare
    const task = { task_id: 'task-x', status: from, repo: 'o/r' };
    // Act
    const next = transition(task, to);
    // Assess
    expect(next).toEqual({ task_id: 'task-x', status: to, repo: 'o/r' });
    expect(task.status).toBe(from);
  });

  it.each(ILLEGAL)('rejects %s → %s with ILLEGAL_TRANSITION (a conflict, exit 3)', (from, to) => {
    // Act
    let error: unknown;
    try {
      transition({ task_id: 'task-x', status: from }, to);
    } catch (e) {
      error = e;
    }
    // Assess
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'ILLEGAL_TRANSITION', exitCode: 3, details: { task_id: 'task-x', from, to } });
  });

  it('has 19 illegal moves out of 25, and the terminal states have no way out', () => {
    // Act
    const terminal = TASK_STATES.filter(isTerminal);
    // Assess
    expect(ILLEGAL).toHaveLength(19);
    expect(terminal).toEqual(['COMPLETED', 'FAILED', 'CANCELLED']);
    for (const t of terminal) for (const to of TASK_STATES) expect(canTransition(t, to)).toBe(false);
    expect(() => assertTransition('COMPLETED', 'RUNNING')).toThrow('cannot go from COMPLETED to RUNNING');
  });
});
