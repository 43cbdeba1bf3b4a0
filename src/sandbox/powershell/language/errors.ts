// Parse errors with the ids and texts of Windows PowerShell 5.1's parser (ParserStrings.resx).
import { positionMessage, type Extent, type ScriptSource } from './position.js';

/** ParserStrings entries the parser reports (id → text with {0} placeholders). */
export const ParserStrings = {
  AmpersandNotAllowed:
    'The ampersand (&) character is not allowed. The & operator is reserved for future use; wrap an ampersand in double quotation marks ("&") to pass it as part of a string.',
  DuplicateKeyInHashLiteral: "Duplicate keys '{0}' are not allowed in hash literals.",
  EmptyPipeElement: 'An empty pipe element is not allowed.',
  EndSquareBracketExpectedAtEndOfAttribute: 'Missing ] at end of attribute or type literal.',
  EndSquareBracketExpectedAtEndOfType: 'Missing ] at end of type token.',
  ExpectedExpression: "An expression was expected after '('.",
  ExpressionsMustBeFirstInPipeline: 'Expressions are only allowed as the first element of a pipeline.',
  ExpectedValueExpression: "You must provide a value expression following the '{0}' operator.",
  IfStatementMissingCondition: "Missing condition in if statement after '{0} ('.",
  IncompleteDollarSubexpressionReference: "$(subexpression) is missing the closing ')'.",
  IncompleteDollarVariableReference: "${variable} reference starting is missing the closing '}'.",
  IncompleteHashLiteral: 'The hash literal was incomplete.',
  IncompleteString: 'Incomplete string token.',
  InvalidEndOfLine: "The token '{0}' is not a valid statement separator in this version.",
  InvalidLeftHandSide:
    'The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property.',
  InvalidVariableReference: 'Variable reference is not valid. \'$\' was not followed by a valid variable name character. Consider using ${} to delimit the name.',
  MissingArgument: 'Missing argument in parameter list.',
  MissingArrayIndexExpression: 'Array index expression is missing or not valid.',
  MissingCatchHandlerBlock: 'The Catch block is missing its statement block.',
  MissingCatchOrFinally: 'The Try statement is missing its Catch or Finally block.',
  MissingCurlyBraceInSwitchStatement: "Missing '{' in switch statement.",
  MissingEndCurlyBrace: "Missing closing '}' in statement block or type definition.",
  MissingEndParenthesisAfterForeach: "Missing closing ')' after expression part of foreach loop.",
  MissingEndParenthesisAfterStatement: "Missing closing ')' after expression in '{0}' statement.",
  MissingEndParenthesisInExpression: "Missing closing ')' in expression.",
  MissingEndParenthesisInFunctionParameterList: "Missing ')' in function parameter list.",
  MissingEndParenthesisInMethodCall: "Missing ')' in method call.",
  MissingEndParenthesisInSubexpression: "Missing closing ')' in subexpression.",
  MissingEndParenthesisInSwitchStatement: "Missing ')' after expression in switch statement.",
  MissingEndSquareBracket: "Missing ']' after array index expression.",
  MissingEqualsInHashLiteral: "Missing '=' operator after key in hash literal.",
  MissingExpression: "Missing expression after '{0}' in pipeline element.",
  MissingExpressionAfterKeyword: "Missing expression after '{0}' in loop.",
  MissingExpressionAfterOperator: "Missing expression after unary operator '{0}'.",
  MissingExpressionAfterToken: "Missing expression after '{0}'.",
  MissingFileSpecification: 'Missing file specification after redirection operator.',
  MissingFinallyStatementBlock: 'The Finally block is missing its statement block.',
  MissingForeachExpression: 'Missing expression in foreach loop.',
  MissingForeachStatement: 'Missing statement body in foreach loop.',
  MissingFunctionBody: 'Missing function body in function declaration.',
  MissingInInForeach: "Missing 'in' after variable in foreach loop.",
  MissingKeyInHashLiteral: "Missing key before '=' in hash literal.",
  MissingLoopStatement: 'Missing statement body in {0} loop.',
  MissingNameAfterKeyword: 'Missing name after {0} keyword.',
  MissingOpenParenthesisAfterKeyword: "Missing opening '(' after keyword '{0}'.",
  MissingOpenParenthesisInIfStatement: "Missing '(' after '{0}' in if statement.",
  MissingPropertyName: 'Missing property name after reference operator.',
  MissingStatementBlock: 'Missing statement block after {0} ( condition ).',
  MissingStatementBlockAfterElse: "Missing statement block after 'else' keyword.",
  MissingStatementInHashLiteral: "Missing statement after '=' in hash literal.",
  MissingSwitchConditionExpression: 'Missing condition in switch statement clause.',
  MissingSwitchStatementClause: 'Missing statement block in switch statement clause.',
  MissingTrapStatement: "The 'trap' statement was incomplete. A trap statement requires a body.",
  MissingStatementBlockForDataSection: 'The Data section is missing its statement block.',
  MissingTryStatementBlock: 'The Try statement is missing its statement block.',
  MissingTypename: "Missing type name after '['.",
  MissingVariableNameAfterForeach: 'Missing variable name after foreach.',
  MissingWhileOrUntilInDoWhile: 'Missing while or until keyword in do loop.',
  ParameterRequiresArgument: 'Parameter {0} requires an argument.',
  RedirectionNotSupported: "The '{0}' operator is reserved for future use.",
  TerminatorExpectedAtEndOfString: 'The string is missing the terminator: {0}.',
  UnexpectedAttribute: "Unexpected attribute '{0}'.",
  UnexpectedToken: "Unexpected token '{0}' in expression or statement.",
  UnexpectedCharactersAfterHereStringHeader: 'No characters are allowed after a here-string header but before the end of the line.',
  WhitespaceBeforeHereStringFooter: 'White space is not allowed before the string terminator.',
  UnrecognizedToken: 'Unrecognized token in source text.',
  ScriptsNotAllowed: 'The syntax is not supported by this runspace. This can occur if the runspace is in no-language mode.',
  OperatorNotSupported: "The '{0}' operator is not supported in this emulation.",
} as const;

export type ParserErrorId = keyof typeof ParserStrings;

export function formatString(template: string, args: readonly string[]): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => args[Number(i)] ?? m);
}

/** One syntax error: where, which id, the text, and whether more input could complete it. */
export interface ParseErrorInfo {
  readonly id: string;
  readonly message: string;
  readonly extent: Extent;
  /** True when the input ended too early (stdin mode keeps reading in that case). */
  readonly incomplete: boolean;
}

/** Thrown by `parseScript` when the script has syntax errors (PowerShell's ParseException). */
export class ParseError extends Error {
  constructor(
    readonly source: ScriptSource,
    readonly errors: readonly ParseErrorInfo[],
  ) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ParseError';
  }

  /** FullyQualifiedErrorId: the first error's id. */
  get errorId(): string {
    return this.errors[0]?.id ?? 'Parse';
  }

  get incomplete(): boolean {
    return this.errors.some((e) => e.incomplete);
  }

  /** ParseException.Message: each error's position message and text, lines joined with "\n". */
  exceptionMessage(): string {
    return this.errors.map((e) => `${positionMessage(this.source, e.extent)}\n${e.message}`).join('\n');
  }
}
