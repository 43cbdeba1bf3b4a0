// ConvertTo-SecureString (plain text only: the DPAPI forms need the user's keys), Add-Type (refused:
// no compiler here; ConstrainedLanguage's own denial first) and Get-FormatData (no format data is
// loaded in the emulation, so it answers with no objects; Import-PSSession accepts that, psrp.md §3.5).
import type { CmdletDef, ParamDef } from '../runtime/command.js';
import { secureString } from '../runtime/secure.js';
import { toStr } from '../runtime/convert.js';

const SECURITY = 'Microsoft.PowerShell.Security';
const UTIL = 'Microsoft.PowerShell.Utility';

function def(name: string, module: string, params: ParamDef[], impl: Partial<Pick<CmdletDef, 'begin' | 'process' | 'end'>>): CmdletDef {
  return { name, implementingType: `Microsoft.PowerShell.Commands.${name.replace('-', '')}Command`, module, params, ...impl };
}

export const convertToSecureString = def('ConvertTo-SecureString', SECURITY, [
  { name: 'String', type: 'string', position: 0, mandatory: true, pipeline: 'value' },
  { name: 'AsPlainText', type: 'switch', position: 1 },
  { name: 'Force', type: 'switch', position: 2 },
  { name: 'SecureKey', type: 'object' },
  { name: 'Key', type: 'object[]' },
], {
  process: async (c) => {
    const text = c.str('String') ?? '';
    if (c.switch('AsPlainText')) {
      // Windows PowerShell 5.1 insists on -Force [SecureStringCommands.resx ForceRequired].
      if (!c.switch('Force')) {
        c.terminate({
          message: 'The system cannot protect plain text input. To suppress this warning and convert the plain text to a SecureString, reissue the command specifying the Force parameter. For more information, type: get-help ConvertTo-SecureString.',
          errorId: 'ImportSecureString_ForceRequired',
          category: 'InvalidArgument',
          exceptionType: 'System.ArgumentException',
        });
      }
      await c.write(secureString(text, true));
      return;
    }
    c.terminate({
      message: 'ConvertTo-SecureString of an encrypted standard string (DPAPI or -Key) is not emulated by winrm-emulator; use -AsPlainText -Force.',
      errorId: 'ImportSecureString_InvalidArgument_CryptographicError',
      category: 'InvalidArgument',
      exceptionType: 'System.Security.Cryptography.CryptographicException',
    });
  },
});

export const addType = def('Add-Type', UTIL, [
  { name: 'TypeDefinition', type: 'string', position: 0 },
  { name: 'Name', type: 'string' },
  { name: 'MemberDefinition', type: 'string[]', position: 1 },
  { name: 'Namespace', aliases: ['NS'], type: 'string' },
  { name: 'UsingNamespace', aliases: ['Using'], type: 'string[]' },
  { name: 'Path', type: 'string[]' },
  { name: 'AssemblyName', aliases: ['AN'], type: 'string[]' },
  { name: 'Language', type: 'string' },
  { name: 'ReferencedAssemblies', aliases: ['RA'], type: 'string[]' },
  { name: 'PassThru', type: 'switch' },
  { name: 'IgnoreWarnings', type: 'switch' },
], {
  begin: async (c) => {
    // AddType.cs BeginProcessing: no code compilation in ConstrainedLanguage [AddTypeStrings.resx CannotDefineNewType].
    if (c.engine.languageMode === 'ConstrainedLanguage') {
      c.terminate({ message: 'Cannot add type. Definition of new types is not supported in this language mode.', errorId: 'CannotDefineNewType', category: 'PermissionDenied', exceptionType: 'System.Management.Automation.PSNotSupportedException' });
    }
  },
  process: async (c) => {
    const names = c.strs('AssemblyName') ?? [];
    // Loading the assemblies Windows PowerShell ships with is harmless: accepted as a no-op.
    if (names.length > 0 && !c.has('TypeDefinition') && !c.has('MemberDefinition') && !c.has('Path')) return;
    c.terminate({ message: `Add-Type cannot compile ${toStr(c.get('Language') ?? 'CSharp')} code in winrm-emulator: defining new .NET types is not emulated.`, errorId: 'AddTypeNotEmulated', category: 'NotImplemented', exceptionType: 'System.NotSupportedException' });
  },
});

export const getFormatData = def('Get-FormatData', UTIL, [
  { name: 'TypeName', type: 'string[]', position: 0 },
  { name: 'PowerShellVersion', type: 'object' },
], {
  // No view definitions travel: the emulation's views are built into its formatter.
  process: async () => undefined,
});

export const SECURITY_CMDLETS: readonly CmdletDef[] = [convertToSecureString, addType, getFormatData];
