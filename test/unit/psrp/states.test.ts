// Every illegal transition of the runspace pool and pipeline machines raises an error that names
// the machine, the action, the current state and the states the action is allowed in.
import { describe, expect, it } from 'vitest';
import {
  PIPELINE_ACTIONS,
  PIPELINE_STATES,
  POOL_ACTIONS,
  POOL_STATES,
  PsrpIllegalTransition,
  pipelineAllows,
  pipelineTransition,
  poolAllows,
  poolTransition,
} from '../../../src/shell/psrp/states.js';

describe('runspace pool state machine', () => {
  for (const state of POOL_STATES) {
    for (const action of POOL_ACTIONS) {
      if (poolAllows(state, action)) continue;
      it(`refuses ${action} in ${state}`, () => {
        let err: unknown;
        try {
          poolTransition(state, action);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(PsrpIllegalTransition);
        const e = err as PsrpIllegalTransition;
        expect(e.machine).toBe('runspace pool');
        expect(e.action).toBe(action);
        expect(e.state).toBe(state);
        expect(e.allowed.length).toBeGreaterThan(0);
        expect(e.message).toBe(`runspace pool cannot ${action} in state ${state}; allowed in: ${e.allowed.join(', ')}`);
      });
    }
  }

  it('opens, disconnects, reconnects and closes', () => {
    let s = poolTransition('Opening', 'Init');
    expect(s).toBe('Opened');
    s = poolTransition(s, 'Disconnect');
    expect(s).toBe('Disconnected');
    expect(poolTransition(s, 'Connect')).toBe('Opened');
    expect(poolTransition(poolTransition(s, 'Reconnect'), 'Close')).toBe('Closed');
    expect(poolTransition('Opened', 'Expire')).toBe('Disconnected');
    expect(poolTransition('Disconnected', 'Expire')).toBe('Closed');
  });
});

describe('pipeline state machine', () => {
  for (const state of PIPELINE_STATES) {
    for (const action of PIPELINE_ACTIONS) {
      if (pipelineAllows(state, action)) continue;
      it(`refuses ${action} in ${state}`, () => {
        expect(() => pipelineTransition(state, action)).toThrow(PsrpIllegalTransition);
        try {
          pipelineTransition(state, action);
        } catch (e) {
          const t = e as PsrpIllegalTransition;
          expect([t.machine, t.action, t.state]).toEqual(['pipeline', action, state]);
          expect(t.message).toContain(`allowed in: ${t.allowed.join(', ')}`);
        }
      });
    }
  }

  it('runs to Completed, Failed or Stopped, and is terminated from any of them', () => {
    const running = pipelineTransition('Creating', 'Start');
    expect(pipelineTransition(running, 'Complete')).toBe('Completed');
    expect(pipelineTransition(running, 'Fail')).toBe('Failed');
    expect(pipelineTransition(pipelineTransition(running, 'Stop'), 'Stopped')).toBe('Stopped');
    for (const end of ['Completed', 'Failed', 'Stopped'] as const) {
      expect(pipelineTransition(end, 'Input')).toBe(end);
      expect(pipelineTransition(end, 'Stop')).toBe(end);
      expect(pipelineTransition(end, 'Terminate')).toBe('Closed');
    }
  });
});
