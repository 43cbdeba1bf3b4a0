// System.Security.SecureString, System.Management.Automation.PSCredential,
// System.Net.NetworkCredential and the [Runtime.InteropServices.Marshal] BSTR helpers scripts use
// to read a SecureString back (`PtrToStringAuto(SecureStringToBSTR($ss))`). The text is held
// outside the object's members, so it shows only where .NET would show it: never in ToString,
// Format-* or Get-Member, only through Marshal, NetworkCredential.Password and serialisation
// (PSRP `<SS>`, encrypted with the session key: psrp.md §3.6).
import { toStr } from './convert.js';
import { methodException } from './members.js';
import { PSObject, type PSValue } from './values.js';

/** A void method's result (members.ts VOID: no output). */
const NOTHING = undefined as unknown as PSValue;

const SECURE_TEXT = new WeakMap<PSObject, { text: string; readOnly: boolean }>();
const BSTR_TEXT = new WeakMap<PSObject, string>();

export const SECURE_STRING_TYPE = 'System.Security.SecureString';

export function isSecureString(v: PSValue): v is PSObject {
  return v instanceof PSObject && SECURE_TEXT.has(v);
}

/** The characters of a SecureString (undefined: not one). */
export function secureStringText(v: PSValue): string | undefined {
  return v instanceof PSObject ? SECURE_TEXT.get(v)?.text : undefined;
}

/** A SecureString holding `text` (ConvertTo-SecureString, a deserialised `<SS>`). */
export function secureString(text: string, readOnly = false): PSObject {
  const o = new PSObject([SECURE_STRING_TYPE, 'System.Object']);
  const state = { text, readOnly };
  SECURE_TEXT.set(o, state);
  o.addProperty({ name: 'Length', kind: 'Property', getter: () => state.text.length });
  o.toStringFn = () => SECURE_STRING_TYPE;
  const writable = (method: string, count: number) => {
    if (state.readOnly) throw methodException(method, count, 'Instance is read-only.', 'InvalidOperationException');
  };
  o.addMethod('AppendChar', (a) => {
    writable('AppendChar', a.length);
    state.text += toStr(a[0] ?? null).slice(0, 1);
    return NOTHING;
  });
  o.addMethod('InsertAt', (a) => {
    writable('InsertAt', a.length);
    const i = Number(a[0] ?? 0);
    state.text = state.text.slice(0, i) + toStr(a[1] ?? null).slice(0, 1) + state.text.slice(i);
    return NOTHING;
  });
  o.addMethod('RemoveAt', (a) => {
    writable('RemoveAt', a.length);
    const i = Number(a[0] ?? 0);
    state.text = state.text.slice(0, i) + state.text.slice(i + 1);
    return NOTHING;
  });
  o.addMethod('Clear', (a) => {
    writable('Clear', a.length);
    state.text = '';
    return NOTHING;
  });
  o.addMethod('MakeReadOnly', () => {
    state.readOnly = true;
    return NOTHING;
  });
  o.addMethod('IsReadOnly', () => state.readOnly);
  o.addMethod('Copy', () => secureString(state.text));
  o.addMethod('Dispose', () => NOTHING);
  return o;
}

/** What SecureStringToBSTR / SecureStringToGlobalAllocUnicode return: an IntPtr to the text. */
function pointer(text: string): PSObject {
  const o = new PSObject(['System.IntPtr', 'System.ValueType', 'System.Object']);
  BSTR_TEXT.set(o, text);
  // An address-like number, stable for the text (the value itself means nothing to a script).
  let h = 0x1f4a;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) >>> 0;
  const address = 0x2000_0000 + (h % 0x0fff_0000);
  o.toStringFn = () => String(address);
  o.addMethod('ToInt64', () => address);
  o.addMethod('ToInt32', () => address);
  return o;
}

function pointerText(method: string, a: PSValue[]): string | null {
  const p = a[0] ?? null;
  if (p === null || p === 0) return null;
  const t = p instanceof PSObject ? BSTR_TEXT.get(p) : undefined;
  if (t === undefined) throw methodException(method, a.length, 'Attempted to read or write protected memory. This is often an indication that other memory is corrupt.', 'AccessViolationException');
  return t;
}

function requireSecure(method: string, a: PSValue[]): string {
  const t = secureStringText(a[0] ?? null);
  if (t === undefined) {
    if ((a[0] ?? null) === null) throw methodException(method, a.length, 'Value cannot be null.\r\nParameter name: s', 'ArgumentNullException');
    throw methodException(method, a.length, `Cannot convert argument "s", with value: "${toStr(a[0] ?? null)}", for "${method}" to type "System.Security.SecureString": "Cannot convert the "${toStr(a[0] ?? null)}" value of type "${typeof a[0] === 'string' ? 'System.String' : 'System.Object'}" to type "System.Security.SecureString"."`, 'MethodArgumentConversionInvalidCastArgument');
  }
  return t;
}

/** [System.Runtime.InteropServices.Marshal]'s SecureString members. */
export const MARSHAL_METHODS: Record<string, (a: PSValue[]) => PSValue | undefined> = {
  securestringtobstr: (a) => pointer(requireSecure('SecureStringToBSTR', a)),
  securestringtoglobalallocunicode: (a) => pointer(requireSecure('SecureStringToGlobalAllocUnicode', a)),
  securestringtocotaskmemunicode: (a) => pointer(requireSecure('SecureStringToCoTaskMemUnicode', a)),
  ptrtostringauto: (a) => pointerText('PtrToStringAuto', a),
  ptrtostringbstr: (a) => pointerText('PtrToStringBSTR', a),
  ptrtostringuni: (a) => pointerText('PtrToStringUni', a),
  zerofreebstr: () => undefined,
  zerofreeglobalallocunicode: () => undefined,
  zerofreecotaskmemunicode: () => undefined,
  freebstr: () => undefined,
};

/** new System.Net.NetworkCredential(user, password[, domain]). */
export function networkCredential(user: string, password: PSValue, domain = ''): PSObject {
  const o = new PSObject(['System.Net.NetworkCredential', 'System.Object']);
  const plain = secureStringText(password) ?? (password === null ? '' : toStr(password));
  o.addProperty({ name: 'UserName', kind: 'Property', value: user });
  o.addProperty({ name: 'Password', kind: 'Property', value: plain });
  o.addProperty({ name: 'SecurePassword', kind: 'Property', getter: () => secureString(plain, true) });
  o.addProperty({ name: 'Domain', kind: 'Property', value: domain });
  o.toStringFn = () => 'System.Net.NetworkCredential';
  o.defaultDisplay = ['UserName', 'Domain'];
  return o;
}

/** new PSCredential(user, securePassword): the constructor's own checks. */
export function psCredential(a: PSValue[]): PSObject {
  const user = a[0] ?? null;
  const pw = a[1] ?? null;
  if (user === null || toStr(user) === '') throw methodException('.ctor', a.length, 'Cannot process argument because the value of argument "userName" is not valid. Change the value of the "userName" argument and run the operation again.', 'PSArgumentException');
  if (pw === null) throw methodException('.ctor', a.length, 'Cannot process argument because the value of argument "password" is null. Change the value of argument "password" to a non-null value.', 'PSArgumentNullException');
  if (!isSecureString(pw)) {
    throw methodException('.ctor', a.length, `Cannot convert argument "password", with value: "${toStr(pw)}", for "PSCredential" to type "System.Security.SecureString": "Cannot convert the "${toStr(pw)}" value of type "${typeof pw === 'string' ? 'System.String' : 'System.Object'}" to type "System.Security.SecureString"."`, 'MethodArgumentConversionInvalidCastArgument');
  }
  const name = toStr(user);
  const o = new PSObject(['System.Management.Automation.PSCredential', 'System.Object']);
  // Adapted properties (Props on the wire, as Windows serialises a PSCredential).
  o.addProperty({ name: 'UserName', kind: 'Property', value: name });
  o.addProperty({ name: 'Password', kind: 'Property', value: pw });
  o.addMethod('GetNetworkCredential', () => {
    const i = name.indexOf('\\');
    const at = name.indexOf('@');
    if (i >= 0) return networkCredential(name.slice(i + 1), pw, name.slice(0, i));
    if (at >= 0) return networkCredential(name.slice(0, at), pw, name.slice(at + 1));
    return networkCredential(name, pw);
  });
  o.toStringFn = () => 'System.Management.Automation.PSCredential';
  return o;
}
