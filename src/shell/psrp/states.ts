// Explicit state machines for runspace pools and pipelines (architecture.md §2.7). An illegal
// transition throws, naming the machine, the action, the current state and the allowed states.
// The server's view of [MS-PSRP 3.2.5]: the WS-Man shell carries the pool, a command the pipeline.

export type PoolState = 'Opening' | 'Opened' | 'Disconnected' | 'Broken' | 'Closed';
export type PoolAction =
  /** INIT_RUNSPACEPOOL processed: the opening messages are queued. */
  | 'Init'
  /** Negotiation or INIT failed: RUNSPACEPOOL_STATE Broken is queued. */
  | 'Break'
  /** Pool-level PSRP messages (SET_MAX/MIN, GET_AVAILABLE, RESET, PUBLIC_KEY, host responses). */
  | 'PoolMessage'
  | 'CreatePipeline'
  | 'Receive'
  | 'Disconnect'
  /** The same client resumes (WS-Man Reconnect). */
  | 'Reconnect'
  /** A new client takes the disconnected pool over (WS-Man Connect with connectXml). */
  | 'Connect'
  /** IdleTimeOut elapsed: a connected pool becomes Disconnected, a disconnected one goes away. */
  | 'Expire'
  | 'Close';

export type PipelineState = 'Creating' | 'Running' | 'Stopping' | 'Completed' | 'Failed' | 'Stopped' | 'Closed';
export type PipelineAction =
  /** CREATE_PIPELINE / GET_COMMAND_METADATA fully received. */
  | 'Start'
  | 'Input'
  | 'EndInput'
  | 'Complete'
  | 'Fail'
  /** Signal powershell/signal/crtl_c (or ctrl_c). */
  | 'Stop'
  /** The engine has let go after a stop: PIPELINE_STATE Stopped is queued. */
  | 'Stopped'
  | 'Receive'
  /** Signal terminate or the pool going away: the command is dropped. */
  | 'Terminate';

export class PsrpIllegalTransition extends Error {
  constructor(
    readonly machine: 'runspace pool' | 'pipeline',
    readonly action: string,
    readonly state: string,
    readonly allowed: readonly string[],
  ) {
    super(`${machine} cannot ${action} in state ${state}; allowed in: ${allowed.join(', ') || 'none'}`);
    this.name = 'PsrpIllegalTransition';
  }
}

/** action → states it may happen in → next state. */
const POOL_TABLE: Record<PoolAction, Partial<Record<PoolState, PoolState>>> = {
  Init: { Opening: 'Opened' },
  Break: { Opening: 'Broken', Opened: 'Broken' },
  PoolMessage: { Opened: 'Opened' },
  CreatePipeline: { Opened: 'Opened' },
  // A pool Receive waits while opening and delivers the Broken state too.
  Receive: { Opening: 'Opening', Opened: 'Opened', Broken: 'Broken' },
  Disconnect: { Opened: 'Disconnected' },
  // Windows also answers a Reconnect of a connected pool (fixture test_psrp_disconnected_commands.yml #23).
  Reconnect: { Disconnected: 'Opened', Opened: 'Opened' },
  Connect: { Disconnected: 'Opened' },
  Expire: { Opening: 'Closed', Opened: 'Disconnected', Disconnected: 'Closed', Broken: 'Closed' },
  Close: { Opening: 'Closed', Opened: 'Closed', Disconnected: 'Closed', Broken: 'Closed' },
};

const FINISHED = { Completed: 'Completed', Failed: 'Failed', Stopped: 'Stopped' } as const;

const PIPELINE_TABLE: Record<PipelineAction, Partial<Record<PipelineState, PipelineState>>> = {
  Start: { Creating: 'Running' },
  // Input for a pipeline that has finished or is stopping is discarded, as Windows does.
  Input: { Running: 'Running', Stopping: 'Stopping', ...FINISHED },
  EndInput: { Running: 'Running', Stopping: 'Stopping', ...FINISHED },
  Complete: { Running: 'Completed' },
  Fail: { Creating: 'Failed', Running: 'Failed' },
  // A stop after the end is accepted and changes nothing (pypsrp may stop a finished pipeline).
  Stop: { Creating: 'Stopping', Running: 'Stopping', Stopping: 'Stopping', ...FINISHED },
  Stopped: { Stopping: 'Stopped' },
  Receive: { Creating: 'Creating', Running: 'Running', Stopping: 'Stopping', ...FINISHED },
  Terminate: { Creating: 'Closed', Running: 'Closed', Stopping: 'Closed', ...{ Completed: 'Closed', Failed: 'Closed', Stopped: 'Closed' } },
};

export function poolTransition(state: PoolState, action: PoolAction): PoolState {
  const row = POOL_TABLE[action];
  const next = row[state];
  if (next === undefined) throw new PsrpIllegalTransition('runspace pool', action, state, Object.keys(row));
  return next;
}

export function pipelineTransition(state: PipelineState, action: PipelineAction): PipelineState {
  const row = PIPELINE_TABLE[action];
  const next = row[state];
  if (next === undefined) throw new PsrpIllegalTransition('pipeline', action, state, Object.keys(row));
  return next;
}

export function poolAllows(state: PoolState, action: PoolAction): boolean {
  return POOL_TABLE[action][state] !== undefined;
}

export function pipelineAllows(state: PipelineState, action: PipelineAction): boolean {
  return PIPELINE_TABLE[action][state] !== undefined;
}

export const POOL_STATES: readonly PoolState[] = ['Opening', 'Opened', 'Disconnected', 'Broken', 'Closed'];
export const PIPELINE_STATES: readonly PipelineState[] = ['Creating', 'Running', 'Stopping', 'Completed', 'Failed', 'Stopped', 'Closed'];
export const POOL_ACTIONS = Object.keys(POOL_TABLE) as PoolAction[];
export const PIPELINE_ACTIONS = Object.keys(PIPELINE_TABLE) as PipelineAction[];
