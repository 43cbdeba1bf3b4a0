// The syntax tree of the supported PowerShell subset (names follow System.Management.Automation.Language).
import type { Extent } from './position.js';
import type { NumberType, Redirection } from './tokenizer.js';

export interface ScriptBlockAst {
  readonly kind: 'ScriptBlock';
  readonly extent: Extent;
  readonly paramBlock: ParamBlockAst | undefined;
  readonly begin: readonly StatementAst[] | undefined;
  readonly process: readonly StatementAst[] | undefined;
  readonly end: readonly StatementAst[] | undefined;
  /** True when the body had no named blocks (statements belong to `end`). */
  readonly unnamed: boolean;
  /** CmdletBinding() present: an advanced function/script (common parameters accepted). */
  readonly cmdletBinding: boolean;
}

export interface ParamBlockAst {
  readonly kind: 'ParamBlock';
  readonly extent: Extent;
  readonly parameters: readonly ParameterAst[];
}

export interface ParameterAst {
  readonly kind: 'Parameter';
  readonly extent: Extent;
  readonly name: string;
  /** Type constraint (`[int]`), as written. */
  readonly typeName: string | undefined;
  readonly defaultValue: ExpressionAst | undefined;
  readonly mandatory: boolean;
  readonly position: number | undefined;
  readonly valueFromPipeline: boolean;
  readonly valueFromPipelineByPropertyName: boolean;
  readonly aliases: readonly string[];
  readonly validateSet: readonly string[] | undefined;
}

export type StatementAst =
  | PipelineAst
  | AssignmentAst
  | IfAst
  | WhileAst
  | DoLoopAst
  | ForAst
  | ForEachAst
  | SwitchAst
  | TryAst
  | TrapAst
  | FlowAst
  | FunctionDefinitionAst
  | BlockStatementAst;

export interface PipelineAst {
  readonly kind: 'Pipeline';
  readonly extent: Extent;
  readonly elements: readonly (CommandAst | CommandExpressionAst)[];
}

export interface CommandParameterAst {
  readonly kind: 'CommandParameter';
  readonly extent: Extent;
  readonly name: string;
  /** `-Name:value` */
  readonly argument: ExpressionAst | undefined;
  /** The parameter token as typed, including the dash. */
  readonly text: string;
}

export type CommandElementAst = CommandParameterAst | ExpressionAst;

export interface RedirectionAst {
  readonly extent: Extent;
  readonly redirection: Redirection;
  readonly target: ExpressionAst | undefined;
}

export interface CommandAst {
  readonly kind: 'Command';
  readonly extent: Extent;
  readonly invocation: '&' | '.' | undefined;
  /** First element is the command name (or a script block / expression after & or .). */
  readonly elements: readonly CommandElementAst[];
  readonly redirections: readonly RedirectionAst[];
}

export interface CommandExpressionAst {
  readonly kind: 'CommandExpression';
  readonly extent: Extent;
  readonly expression: ExpressionAst;
  readonly redirections: readonly RedirectionAst[];
}

export type AssignmentOperator = '=' | '+=' | '-=' | '*=' | '/=' | '%=';

export interface AssignmentAst {
  readonly kind: 'Assignment';
  readonly extent: Extent;
  readonly target: ExpressionAst;
  readonly operator: AssignmentOperator;
  readonly value: StatementAst;
  readonly operatorExtent: Extent;
}

export interface IfAst {
  readonly kind: 'If';
  readonly extent: Extent;
  readonly clauses: readonly { readonly condition: StatementAst; readonly body: readonly StatementAst[] }[];
  readonly elseBody: readonly StatementAst[] | undefined;
}

export interface WhileAst {
  readonly kind: 'While';
  readonly extent: Extent;
  readonly label: string | undefined;
  readonly condition: StatementAst;
  readonly body: readonly StatementAst[];
}

export interface DoLoopAst {
  readonly kind: 'DoLoop';
  readonly extent: Extent;
  readonly label: string | undefined;
  readonly until: boolean;
  readonly condition: StatementAst;
  readonly body: readonly StatementAst[];
}

export interface ForAst {
  readonly kind: 'For';
  readonly extent: Extent;
  readonly label: string | undefined;
  readonly init: StatementAst | undefined;
  readonly condition: StatementAst | undefined;
  readonly iterator: StatementAst | undefined;
  readonly body: readonly StatementAst[];
}

export interface ForEachAst {
  readonly kind: 'ForEach';
  readonly extent: Extent;
  readonly label: string | undefined;
  readonly variable: VariableAst;
  readonly collection: StatementAst;
  readonly body: readonly StatementAst[];
}

export interface SwitchClauseAst {
  readonly condition: ExpressionAst;
  readonly body: readonly StatementAst[];
}

export interface SwitchAst {
  readonly kind: 'Switch';
  readonly extent: Extent;
  readonly label: string | undefined;
  readonly mode: 'exact' | 'regex' | 'wildcard';
  readonly caseSensitive: boolean;
  readonly file: boolean;
  readonly condition: StatementAst;
  readonly clauses: readonly SwitchClauseAst[];
  readonly defaultBody: readonly StatementAst[] | undefined;
}

export interface CatchClauseAst {
  readonly extent: Extent;
  readonly types: readonly string[];
  readonly body: readonly StatementAst[];
}

export interface TryAst {
  readonly kind: 'Try';
  readonly extent: Extent;
  readonly body: readonly StatementAst[];
  readonly catches: readonly CatchClauseAst[];
  readonly finallyBody: readonly StatementAst[] | undefined;
}

export interface TrapAst {
  readonly kind: 'Trap';
  readonly extent: Extent;
  readonly typeName: string | undefined;
  readonly body: readonly StatementAst[];
}

export interface FlowAst {
  readonly kind: 'Flow';
  readonly extent: Extent;
  readonly flow: 'break' | 'continue' | 'return' | 'exit' | 'throw';
  /** Label (break/continue) or value (return/exit/throw). */
  readonly value: StatementAst | undefined;
  readonly label: string | undefined;
}

export interface FunctionDefinitionAst {
  readonly kind: 'FunctionDefinition';
  readonly extent: Extent;
  readonly name: string;
  readonly isFilter: boolean;
  /** `function f($a, $b) {}` */
  readonly parameters: readonly ParameterAst[] | undefined;
  readonly body: ScriptBlockAst;
}

/** `data { }`, `parallel { }` and friends are not emulated; kept as a plain block. */
export interface BlockStatementAst {
  readonly kind: 'BlockStatement';
  readonly extent: Extent;
  readonly body: readonly StatementAst[];
}

export type ExpressionAst =
  | ConstantAst
  | StringConstantAst
  | ExpandableStringAst
  | VariableAst
  | BinaryAst
  | UnaryAst
  | ConvertAst
  | TypeExpressionAst
  | MemberAst
  | InvokeMemberAst
  | IndexAst
  | ArrayLiteralAst
  | ArrayExpressionAst
  | SubExpressionAst
  | ParenAst
  | HashtableAst
  | ScriptBlockExpressionAst
  | ArgumentConcatAst
  | BoundValueAst;

export interface ConstantAst {
  readonly kind: 'Constant';
  readonly extent: Extent;
  readonly value: number;
  readonly numType: NumberType;
}

export interface StringConstantAst {
  readonly kind: 'StringConstant';
  readonly extent: Extent;
  readonly value: string;
  /** How it was written: a bareword is not a "quoted" string for parameter binding. */
  readonly style: 'single' | 'double' | 'bare' | 'here';
}

export interface ExpandableStringAst {
  readonly kind: 'ExpandableString';
  readonly extent: Extent;
  readonly parts: readonly (string | ExpressionAst)[];
  readonly style: 'double' | 'bare' | 'here';
}

export interface VariableAst {
  readonly kind: 'Variable';
  readonly extent: Extent;
  readonly name: string;
  readonly scope: string | undefined;
  readonly splatted: boolean;
}

export interface BinaryAst {
  readonly kind: 'Binary';
  readonly extent: Extent;
  readonly operator: string;
  readonly left: ExpressionAst;
  readonly right: ExpressionAst;
  readonly operatorExtent: Extent;
}

export interface UnaryAst {
  readonly kind: 'Unary';
  readonly extent: Extent;
  /** `-not` `!` `-` `+` `-bnot` `-split` `-join` `,` `++` `--` (prefix) `post++` `post--` */
  readonly operator: string;
  readonly operand: ExpressionAst;
}

export interface TypeNameAst {
  readonly extent: Extent;
  /** As written inside the brackets, e.g. `int`, `System.Collections.Generic.List[string]`, `string[]`. */
  readonly name: string;
}

export interface ConvertAst {
  readonly kind: 'Convert';
  readonly extent: Extent;
  readonly type: TypeNameAst;
  readonly operand: ExpressionAst;
}

export interface TypeExpressionAst {
  readonly kind: 'TypeExpression';
  readonly extent: Extent;
  readonly type: TypeNameAst;
}

export interface MemberAst {
  readonly kind: 'Member';
  readonly extent: Extent;
  readonly target: ExpressionAst;
  readonly member: ExpressionAst;
  readonly isStatic: boolean;
}

export interface InvokeMemberAst {
  readonly kind: 'InvokeMember';
  readonly extent: Extent;
  readonly target: ExpressionAst;
  readonly member: ExpressionAst;
  readonly isStatic: boolean;
  readonly args: readonly ExpressionAst[];
}

export interface IndexAst {
  readonly kind: 'Index';
  readonly extent: Extent;
  readonly target: ExpressionAst;
  readonly index: ExpressionAst;
}

export interface ArrayLiteralAst {
  readonly kind: 'ArrayLiteral';
  readonly extent: Extent;
  readonly elements: readonly ExpressionAst[];
}

export interface ArrayExpressionAst {
  readonly kind: 'ArrayExpression';
  readonly extent: Extent;
  readonly statements: readonly StatementAst[];
}

export interface SubExpressionAst {
  readonly kind: 'SubExpression';
  readonly extent: Extent;
  readonly statements: readonly StatementAst[];
}

export interface ParenAst {
  readonly kind: 'Paren';
  readonly extent: Extent;
  readonly statement: StatementAst;
}

export interface HashtableAst {
  readonly kind: 'Hashtable';
  readonly extent: Extent;
  readonly entries: readonly { readonly key: ExpressionAst; readonly value: StatementAst }[];
}

export interface ScriptBlockExpressionAst {
  readonly kind: 'ScriptBlockExpression';
  readonly extent: Extent;
  readonly block: ScriptBlockAst;
}

/** A command argument made of adjacent pieces (`$a+1`, `$x.txt`): evaluated and joined as a string. */
export interface ArgumentConcatAst {
  readonly kind: 'ArgumentConcat';
  readonly extent: Extent;
  readonly parts: readonly ExpressionAst[];
}

/** A value bound from outside the script text (a PSRP command's argument object): evaluates to itself. */
export interface BoundValueAst {
  readonly kind: 'BoundValue';
  readonly extent: Extent;
  /** The runtime value (a PSValue; typed loosely to keep the syntax tree free of runtime types). */
  readonly value: unknown;
}
