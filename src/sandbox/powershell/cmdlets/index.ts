// The cmdlet table and Windows PowerShell 5.1's built-in aliases.
import type { CmdletDef } from '../runtime/command.js';
import { ITEM_CMDLETS } from './items.js';
import { JSON_CMDLETS } from './json.js';
import { OBJECT_CMDLETS } from './objects.js';
import { OUTPUT_CMDLETS } from './output.js';
import { MISC_CMDLETS } from './system.js';
import { SECURITY_CMDLETS } from './security.js';
import { getCredentialCmdlet, readHostCmdlet } from '../host/session-host.js';
import { tabExpansion2 } from './completion.js';

export const CMDLETS: readonly CmdletDef[] = [...OUTPUT_CMDLETS, ...OBJECT_CMDLETS, ...ITEM_CMDLETS, ...JSON_CMDLETS, ...MISC_CMDLETS, ...SECURITY_CMDLETS, readHostCmdlet, getCredentialCmdlet, tabExpansion2];

/** Built-in aliases of Windows PowerShell 5.1 for the emulated cmdlets. */
export const ALIASES: Readonly<Record<string, string>> = {
  '%': 'ForEach-Object',
  '?': 'Where-Object',
  ac: 'Add-Content',
  cat: 'Get-Content',
  cd: 'Set-Location',
  chdir: 'Set-Location',
  clc: 'Clear-Content',
  clear: 'Clear-Host',
  cls: 'Clear-Host',
  clv: 'Clear-Variable',
  copy: 'Copy-Item',
  cp: 'Copy-Item',
  cpi: 'Copy-Item',
  del: 'Remove-Item',
  dir: 'Get-ChildItem',
  echo: 'Write-Output',
  erase: 'Remove-Item',
  fl: 'Format-List',
  foreach: 'ForEach-Object',
  ft: 'Format-Table',
  fw: 'Format-Wide',
  gal: 'Get-Alias',
  gc: 'Get-Content',
  gci: 'Get-ChildItem',
  gcm: 'Get-Command',
  gi: 'Get-Item',
  gl: 'Get-Location',
  gm: 'Get-Member',
  gps: 'Get-Process',
  group: 'Group-Object',
  gsv: 'Get-Service',
  gv: 'Get-Variable',
  iex: 'Invoke-Expression',
  ipmo: 'Import-Module',
  ls: 'Get-ChildItem',
  measure: 'Measure-Object',
  mi: 'Move-Item',
  move: 'Move-Item',
  mv: 'Move-Item',
  nal: 'New-Alias',
  ni: 'New-Item',
  nv: 'New-Variable',
  oh: 'Out-Host',
  popd: 'Pop-Location',
  ps: 'Get-Process',
  pushd: 'Push-Location',
  pwd: 'Get-Location',
  rd: 'Remove-Item',
  ren: 'Rename-Item',
  ri: 'Remove-Item',
  rm: 'Remove-Item',
  rmdir: 'Remove-Item',
  rni: 'Rename-Item',
  rv: 'Remove-Variable',
  rvpa: 'Resolve-Path',
  sal: 'Set-Alias',
  sc: 'Set-Content',
  select: 'Select-Object',
  set: 'Set-Variable',
  sl: 'Set-Location',
  sleep: 'Start-Sleep',
  sort: 'Sort-Object',
  sv: 'Set-Variable',
  type: 'Get-Content',
  where: 'Where-Object',
  write: 'Write-Output',
};

/** Built-in functions of Windows PowerShell 5.1 that scripts call (defined in PowerShell itself). */
export const BUILTIN_FUNCTIONS = `
function mkdir {
  [CmdletBinding()]
  param([Parameter(Position=0, ValueFromPipelineByPropertyName=$true)][string[]]$Path, [Parameter(ValueFromPipelineByPropertyName=$true)][string]$Name, [switch]$Force)
  New-Item -ItemType Directory @PSBoundParameters
}
function md {
  [CmdletBinding()]
  param([Parameter(Position=0, ValueFromPipelineByPropertyName=$true)][string[]]$Path, [Parameter(ValueFromPipelineByPropertyName=$true)][string]$Name, [switch]$Force)
  New-Item -ItemType Directory @PSBoundParameters
}
function cd.. { Set-Location .. }
function cd\\ { Set-Location \\ }
`;
