// The emulated Windows PowerShell 5.1 (issue 4, item 3): tokenizer, parser, evaluator over
// objects, cmdlets over the virtual file system, and the text formatter of powershell.exe.
export {
  createPowerShell,
  parseErrorRecord,
  psVersionFor,
  type BoundArgument,
  type BoundCommand,
  type ExternalProgramHook,
  type InvokeOptions,
  type InvokeResult,
  type InvokeSink,
  type LanguageMode,
  type PowerShellEngine,
  type PowerShellOptions,
  type PowerShellSession,
  type RunScriptOptions,
  type SessionOptions,
} from './engine.js';
export { parseScript } from './language/parser.js';
export { ParseError, type ParseErrorInfo } from './language/errors.js';
export { Tokenizer, type Token, type TokenMode } from './language/tokenizer.js';
export type * as Ast from './language/ast.js';
export { renderObjects, OutDefault } from './format/out-default.js';
export { errorViewLines, errorViewText } from './format/error-view.js';
export * from './runtime/values.js';
