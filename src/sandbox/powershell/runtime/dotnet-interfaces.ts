// .NET collection interfaces as parameter and cast types ([System.Collections.IDictionary]$Payload
// in Ansible's module wrappers): a value converts to an interface it implements unchanged, and
// `-is` answers for it. Hashtables are IDictionary, ICollection and IEnumerable; arrays and lists
// IList, ICollection and IEnumerable.
import { PSHashtable, PSObject, type PSValue } from './values.js';

export const COLLECTION_INTERFACES = [
  'System.Collections.IDictionary',
  'System.Collections.IList',
  'System.Collections.ICollection',
  'System.Collections.IEnumerable',
] as const;

/** Whether `v` implements interface `full` (lower-case or not); undefined when `full` is no such interface. */
export function implementsInterface(v: PSValue, full: string): boolean | undefined {
  const f = COLLECTION_INTERFACES.find((i) => i.toLowerCase() === full.toLowerCase());
  if (f === undefined) return undefined;
  if (v === null) return false;
  const isDict = v instanceof PSHashtable || (v instanceof PSObject && v.typeNames.some((n) => /Dictionary/.test(n)));
  const isList = Array.isArray(v);
  switch (f) {
    case 'System.Collections.IDictionary':
      return isDict;
    case 'System.Collections.IList':
      return isList;
    default:
      return isDict || isList || typeof v === 'string';
  }
}
