// Explicit state machines for WinRS shells and commands (architecture.md §2.7). An illegal
// transition throws, naming the action, the current state and the states it is allowed from.

export type ShellState = 'Connected' | 'Deleted';
export type CommandState = 'Running' | 'Done' | 'Terminated';

export type ShellAction = 'Command' | 'Send' | 'Receive' | 'Signal' | 'Delete' | 'Expire' | 'Get';
export type CommandAction = 'Send' | 'Receive' | 'Exit' | 'Signal' | 'Terminate';

export class IllegalTransition extends Error {
  constructor(
    readonly machine: 'shell' | 'command',
    readonly action: string,
    readonly state: string,
    readonly allowed: readonly string[],
  ) {
    super(`${machine} cannot ${action} in state ${state}; allowed in: ${allowed.join(', ') || 'none'}`);
    this.name = 'IllegalTransition';
  }
}

/** action → states it may happen in → next state. */
const SHELL_TABLE: Record<ShellAction, Partial<Record<ShellState, ShellState>>> = {
  Command: { Connected: 'Connected' },
  Send: { Connected: 'Connected' },
  Receive: { Connected: 'Connected' },
  Signal: { Connected: 'Connected' },
  Get: { Connected: 'Connected' },
  Delete: { Connected: 'Deleted' },
  Expire: { Connected: 'Deleted' },
};

const COMMAND_TABLE: Record<CommandAction, Partial<Record<CommandState, CommandState>>> = {
  // stdin for a finished command is discarded, not an error [WSMV 3.1.4.13].
  Send: { Running: 'Running', Done: 'Done' },
  Receive: { Running: 'Running', Done: 'Done' },
  Exit: { Running: 'Done' },
  // ctrl_c / ctrl_break: accepted also after Done (pypsrp sends ctrl_c after Done) [fx pypsrp/test_winrs_standard].
  Signal: { Running: 'Running', Done: 'Done' },
  // terminate: the client has all output; the command's state may be dropped [WSMV 3.1.4.14].
  Terminate: { Running: 'Terminated', Done: 'Terminated' },
};

export function shellTransition(state: ShellState, action: ShellAction): ShellState {
  const row = SHELL_TABLE[action];
  const next = row[state];
  if (next === undefined) throw new IllegalTransition('shell', action, state, Object.keys(row));
  return next;
}

export function commandTransition(state: CommandState, action: CommandAction): CommandState {
  const row = COMMAND_TABLE[action];
  const next = row[state];
  if (next === undefined) throw new IllegalTransition('command', action, state, Object.keys(row));
  return next;
}

export const SHELL_STATES: readonly ShellState[] = ['Connected', 'Deleted'];
export const COMMAND_STATES: readonly CommandState[] = ['Running', 'Done', 'Terminated'];
export const SHELL_ACTIONS = Object.keys(SHELL_TABLE) as ShellAction[];
export const COMMAND_ACTIONS = Object.keys(COMMAND_TABLE) as CommandAction[];
