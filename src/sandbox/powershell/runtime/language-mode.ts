// Language modes beyond FullLanguage [about_Language_Modes]:
// - ConstrainedLanguage: method calls, property setting, conversions and New-Object only on
//   PowerShell's "core types" [pwsh SMA/engine/parser/TypeResolver.cs CoreTypes], with the texts of
//   ParserStrings.resx (InvokeMethodConstrainedLanguage, PropertySetConstrainedLanguage) and
//   ExtendedTypeSystem.resx (InvalidCastExceptionNonCoreType).
// - RestrictedLanguage: a script is checked before it runs, as ScriptBlock.CheckRestrictedLanguage
//   does for a runspace's script commands [pwsh SMA/engine/hostifaces/Command.cs ~L480,
//   SMA/engine/parser/SemanticChecks.cs RestrictedLanguageChecker]; every finding is a parse error
//   with the "…not allowed in restricted language mode or a Data section." texts.
import type * as A from '../language/ast.js';
import type { ParseErrorInfo } from '../language/errors.js';
import type { Extent } from '../language/position.js';
import { typeNameOf } from './convert.js';
import { Msg, runtimeError } from './errors.js';
import type { PSRuntimeError } from './errors.js';
import { resolveType } from './types.js';
import { PSEnum, PSHashtable, PSObject, PSTypeRef, type PSValue } from './values.js';

/** CoreTypes of Windows PowerShell by .NET full name (arrays of them too). */
const CORE_TYPES = new Set(
  [
    'System.Array',
    'System.Boolean',
    'System.Byte',
    'System.Char',
    'System.DateTime',
    'System.Decimal',
    'System.Double',
    'System.Single',
    'System.Guid',
    'System.Collections.Hashtable',
    'System.Int32',
    'System.Int16',
    'System.Int64',
    'System.UInt16',
    'System.UInt32',
    'System.UInt64',
    'System.SByte',
    'System.Object[]',
    'System.Collections.Specialized.OrderedDictionary',
    'System.Management.Automation.PSCredential',
    'System.Management.Automation.PSObject',
    'System.Management.Automation.PSCustomObject',
    'System.Management.Automation.PSPrimitiveDictionary',
    'System.Management.Automation.PSReference',
    'System.Management.Automation.SwitchParameter',
    'System.Management.Automation.PSListModifier',
    'System.Management.Automation.WildcardPattern',
    'System.Management.Automation.AliasAttribute',
    'System.Management.Automation.CmdletBindingAttribute',
    'System.Management.Automation.ParameterAttribute',
    'System.Management.Automation.ValidateSetAttribute',
    'System.Management.Automation.ValidatePatternAttribute',
    'System.Management.Automation.ValidateRangeAttribute',
    'System.Management.Automation.ValidateNotNullOrEmptyAttribute',
    'System.Management.Automation.ValidateNotNullAttribute',
    'System.Management.Automation.OutputTypeAttribute',
    'System.Text.RegularExpressions.Regex',
    'System.String',
    'System.Globalization.CultureInfo',
    'System.Numerics.BigInteger',
    'System.Security.SecureString',
    'System.TimeSpan',
    'System.Uri',
    'System.Version',
    'System.Void',
    'System.Net.IPAddress',
    'System.Net.IPEndPoint',
    'System.Net.Mail.MailAddress',
    'System.Net.NetworkInformation.PhysicalAddress',
    'System.Xml.XmlDocument',
    'System.Security.Cryptography.X509Certificates.X509Certificate',
    'System.Security.Cryptography.X509Certificates.X500DistinguishedName',
    'System.DirectoryServices.DirectoryEntry',
    'System.DirectoryServices.DirectorySearcher',
    'System.Management.ManagementClass',
    'System.Management.ManagementObject',
    'System.Management.ManagementObjectSearcher',
    'Microsoft.Management.Infrastructure.CimInstance',
    'Microsoft.Management.Infrastructure.CimSession',
  ].map((t) => t.toLowerCase()),
);

export function isCoreTypeName(fullName: string): boolean {
  const n = fullName.toLowerCase();
  if (CORE_TYPES.has(n)) return true;
  if (n.endsWith('[]')) return isCoreTypeName(fullName.slice(0, -2));
  return false;
}

/** Is a value's type a core type (enums are, as TypeResolver's CoreTypes.Contains says)? */
export function isCoreValue(v: PSValue): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (v instanceof PSEnum) return true;
  if (v instanceof PSHashtable) return true;
  if (Array.isArray(v)) return isCoreTypeName(typeNameOf(v));
  if (v instanceof PSObject) return v.isCustom || isCoreTypeName(v.typeNames[0] ?? 'System.Object');
  if (v instanceof PSTypeRef) return false;
  return isCoreTypeName(typeNameOf(v));
}

export function methodDenied(): PSRuntimeError {
  return runtimeError({ message: 'Cannot invoke method. Method invocation is supported only on core types in this language mode.', errorId: 'MethodInvocationNotSupportedInConstrainedLanguage', category: 'InvalidOperation', exceptionType: 'System.Management.Automation.PSInvalidOperationException' });
}

export function propertySetDenied(): PSRuntimeError {
  return runtimeError({ message: 'Cannot set property. Property setting is supported only on core types in this language mode.', errorId: 'PropertySetterNotSupportedInConstrainedLanguage', category: 'InvalidOperation', exceptionType: 'System.Management.Automation.PSInvalidOperationException' });
}

/** A cast or type constraint to a type that is not core [LanguagePrimitives.ThrowInvalidConversionException]. */
export function conversionDenied(typeName: string): PSRuntimeError {
  const t = resolveType(typeName);
  if (t === undefined) return runtimeError({ message: Msg.TypeNotFound(typeName), errorId: 'TypeNotFound', category: 'InvalidOperation', target: typeName });
  return runtimeError({ message: `Cannot convert value to type "${t.fullName}". Only core types are supported in this language mode.`, errorId: 'ConversionSupportedOnlyToCoreTypes', category: 'InvalidArgument', exceptionType: 'System.Management.Automation.PSInvalidCastException' });
}

// ---- RestrictedLanguage ---------------------------------------------------------------------

const DATA = ' is not allowed in restricted language mode or a Data section.';
const R = {
  ScriptBlockNotSupportedInDataSection: 'Script block literals are not allowed in restricted language mode or a Data section.',
  FunctionDeclarationNotSupportedInDataSection: 'Function declarations are not allowed in restricted language mode or a Data section.',
  TrapStatementNotSupportedInDataSection: `The Trap statement${DATA}`,
  SwitchStatementNotSupportedInDataSection: `The switch statement${DATA}`,
  ForeachStatementNotSupportedInDataSection: 'Foreach statements are not allowed in restricted language mode or a Data section.',
  DoWhileStatementNotSupportedInDataSection: 'The Do and While statements are not allowed in restricted language mode or a Data section.',
  ForWhileStatementNotSupportedInDataSection: 'For and While statements are not allowed in restricted language mode or a Data section.',
  TryStatementNotSupportedInDataSection: `The Try statement${DATA}`,
  FlowControlStatementNotSupportedInDataSection: 'Flow control statements such as Break, Continue, Return, Exit, and Throw are not allowed in restricted language mode or a Data section.',
  AssignmentStatementNotSupportedInDataSection: 'Assignment statements are not allowed in restricted language mode or a Data section.',
  DotSourcingNotSupportedInDataSection: `Dot sourcing${DATA}`,
  RedirectionNotSupportedInDataSection: `Redirection${DATA}`,
  PropertyReferenceNotSupportedInDataSection: 'Property references are not allowed in restricted language mode or a Data section.',
  MethodCallNotSupportedInDataSection: 'Method calls are not allowed in restricted language mode or a Data section.',
  ArrayReferenceNotSupportedInDataSection: 'Array references are not allowed in restricted language mode or a Data section.',
  ParallelAndSequenceBlockNotSupportedInDataSection: 'Parallel and sequence blocks are not allowed in restricted language mode or a Data section.',
  InvalidScriptBlockInDataSection: 'A Begin statement block, Process statement block, or parameter statement is not allowed in a Data section.',
} as const;

/** $PSCulture, $PSUICulture, $true, $false, $null [SemanticChecks.cs s_defaultAllowedVariables]. */
const ALLOWED_VARIABLES = new Set(['psculture', 'psuiculture', 'true', 'false', 'null']);

/** Operators with TokenFlags.DisallowedInRestrictedMode [SMA/engine/parser/token.cs], as TokenKind.Text() names them. */
function disallowedOperator(op: string): string | undefined {
  const o = op.toLowerCase();
  if (o === '..' || o === '-f' || o === '-join' || o === '-as' || o === '++' || o === '--') return o;
  if (o === 'post++') return '++';
  if (o === 'post--') return '--';
  const m = /^-([ic]?)(match|notmatch|replace|split)$/.exec(o);
  if (m) return `-${m[1] === '' ? 'i' : m[1]}${m[2]}`;
  return undefined;
}

/** Types a Data section accepts: primitives (TypeCode other than Object) and arrays of them. */
function primitiveType(name: string): boolean {
  const t = resolveType(name);
  if (t === undefined) return false;
  const full = t.fullName.replace(/\[\]$/, '');
  return ['System.Boolean', 'System.Char', 'System.SByte', 'System.Byte', 'System.Int16', 'System.UInt16', 'System.Int32', 'System.UInt32', 'System.Int64', 'System.UInt64', 'System.Single', 'System.Double', 'System.Decimal', 'System.DateTime', 'System.String'].includes(full);
}

/** The RestrictedLanguage findings for a parsed script, in source order (empty: allowed). */
export function restrictedLanguageErrors(ast: A.ScriptBlockAst): ParseErrorInfo[] {
  const errors: ParseErrorInfo[] = [];
  const report = (extent: Extent, id: keyof typeof R | 'OperatorNotSupportedInDataSection' | 'VariableReferenceNotSupportedInDataSection' | 'TypeNotAllowedInDataSection', arg?: string) => {
    let message: string;
    if (id === 'OperatorNotSupportedInDataSection') message = `The '${arg ?? ''}' operator${DATA}`;
    else if (id === 'VariableReferenceNotSupportedInDataSection') message = 'A variable that cannot be referenced in restricted language mode or a Data section is being referenced. Variables that can be referenced include the following: $PSCulture, $PSUICulture, $true, $false, $null.';
    else if (id === 'TypeNotAllowedInDataSection') message = `The type ${arg ?? ''}${DATA}`;
    else message = R[id];
    errors.push({ id, message, extent, incomplete: false });
  };
  if (ast.begin !== undefined || ast.process !== undefined || ast.paramBlock !== undefined) {
    report((ast.paramBlock ?? ast).extent, 'InvalidScriptBlockInDataSection');
  }
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const n = node as { kind?: string; extent?: Extent } & Record<string, unknown>;
    const extent = n.extent ?? { start: 0, end: 0 };
    let descend = true;
    switch (n.kind) {
      case 'ScriptBlockExpression':
        report(extent, 'ScriptBlockNotSupportedInDataSection');
        descend = false;
        break;
      case 'FunctionDefinition':
        report(extent, 'FunctionDeclarationNotSupportedInDataSection');
        descend = false;
        break;
      case 'Trap':
        report(extent, 'TrapStatementNotSupportedInDataSection');
        break;
      case 'Switch':
        report(extent, 'SwitchStatementNotSupportedInDataSection');
        break;
      case 'ForEach':
        report(extent, 'ForeachStatementNotSupportedInDataSection');
        break;
      case 'DoLoop':
        report(extent, 'DoWhileStatementNotSupportedInDataSection');
        break;
      case 'For':
      case 'While':
        report(extent, 'ForWhileStatementNotSupportedInDataSection');
        break;
      case 'Try':
        report(extent, 'TryStatementNotSupportedInDataSection');
        break;
      case 'Flow':
        report(extent, 'FlowControlStatementNotSupportedInDataSection');
        break;
      case 'Assignment':
        report(extent, 'AssignmentStatementNotSupportedInDataSection');
        break;
      case 'BlockStatement':
        report(extent, 'ParallelAndSequenceBlockNotSupportedInDataSection');
        break;
      case 'Command': {
        const c = node as A.CommandAst;
        if (c.invocation === '.') report(extent, 'DotSourcingNotSupportedInDataSection');
        for (const r of c.redirections) report(r.extent, 'RedirectionNotSupportedInDataSection');
        break;
      }
      case 'CommandExpression':
        for (const r of (node as A.CommandExpressionAst).redirections) report(r.extent, 'RedirectionNotSupportedInDataSection');
        break;
      case 'Variable': {
        const v = node as A.VariableAst;
        const name = (v.scope !== undefined ? `${v.scope}:${v.name}` : v.name).toLowerCase();
        if (!ALLOWED_VARIABLES.has(name)) report(extent, 'VariableReferenceNotSupportedInDataSection');
        break;
      }
      case 'Member':
        report(extent, 'PropertyReferenceNotSupportedInDataSection');
        break;
      case 'InvokeMember':
        report(extent, 'MethodCallNotSupportedInDataSection');
        break;
      case 'Index':
        report(extent, 'ArrayReferenceNotSupportedInDataSection');
        break;
      case 'Binary': {
        const b = node as A.BinaryAst;
        const op = disallowedOperator(b.operator);
        if (op !== undefined) report(b.operatorExtent, 'OperatorNotSupportedInDataSection', op);
        break;
      }
      case 'Unary': {
        const op = disallowedOperator((node as A.UnaryAst).operator);
        if (op !== undefined) report(extent, 'OperatorNotSupportedInDataSection', op);
        break;
      }
      case 'Convert':
      case 'TypeExpression': {
        const t = (node as A.ConvertAst | A.TypeExpressionAst).type;
        if (!primitiveType(t.name)) report(t.extent, 'TypeNotAllowedInDataSection', t.name);
        break;
      }
      default:
        break;
    }
    if (!descend) return;
    for (const [k, v] of Object.entries(n)) {
      if (k === 'extent' || k === 'operatorExtent' || k === 'redirections') continue;
      if (v !== null && typeof v === 'object') visit(v);
    }
  };
  for (const part of [ast.begin, ast.process, ast.end]) if (part !== undefined) visit(part);
  errors.sort((a, b) => a.extent.start - b.extent.start);
  return errors;
}
