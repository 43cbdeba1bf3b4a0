// The hand-written XML reader (src/wsman/xml.ts, docs/decisions/0005-hot-path.md): well-formedness
// as XML 1.0 and Namespaces in XML define it, the same tree the fast-xml-parser-based reader built
// for every well-formed envelope, and at least as strict as fast-xml-parser's validator.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { attr, el, isElement, parseXml, textOf, writeXml, XmlSyntaxError, XML_LIMITS, type OutElement, type XmlElement } from '../../../src/wsman/xml.js';
import { readEnvelope } from '../../../src/wsman/envelope.js';
import { WsmanFault } from '../../../src/wsman/faults.js';
import * as pywinrm from '../../../bench/lib/envelopes.js';

const bad = (xml: string) => expect(() => parseXml(xml), xml).toThrow(XmlSyntaxError);

describe('the XML reader: well-formedness', () => {
  it.each([
    ['unclosed element', '<a><b></b>'],
    ['crossed tags', '<a><b></a></b>'],
    ['end tag of another case', '<a></A>'],
    ['text before the root', 'x<a/>'],
    ['text after the root', '<a/>x'],
    ['two roots', '<a/><b/>'],
    ['empty document', ''],
    ['white space only', '  \n'],
    ['bare ampersand', '<a>fish & chips</a>'],
    ['reference without semicolon', '<a>&amp</a>'],
    ['undeclared entity', '<a>&nbsp;</a>'],
    ['undeclared entity in an attribute', '<a b="&foo;"/>'],
    ['character reference to NUL', '<a>&#0;</a>'],
    ['character reference to a surrogate', '<a>&#xD800;</a>'],
    ['character reference beyond Unicode', '<a>&#x110000;</a>'],
    ['empty character reference', '<a>&#;</a>'],
    ["']]>' in text", '<a>x]]>y</a>'],
    ["'<' in an attribute value", '<a b="<"/>'],
    ['unquoted attribute', '<a b=1/>'],
    ['attribute without value', '<a b/>'],
    ['repeated attribute', '<a b="1" b="2"/>'],
    ['no space between attributes', '<a b="1"c="2"/>'],
    ["space after '<'", '< a/>'],
    ['name starting with a digit', '<1a/>'],
    ["'--' inside a comment", '<a><!-- x -- y --></a>'],
    ['unterminated comment', '<a><!-- x </a>'],
    ['unterminated CDATA', '<a><![CDATA[x</a>'],
    ['XML declaration not at the start', ' <?xml version="1.0"?><a/>'],
    ['XML declaration inside the root', '<a><?xml version="1.0"?></a>'],
    ['empty prefix', '<:a/>'],
    ['two colons in a name', '<a:b:c xmlns:a="u"/>'],
    ['undeclared element prefix', '<q:a/>'],
    ['undeclared attribute prefix', '<a q:b="1"/>'],
    ['unknown <! markup', '<a><!FOO></a>'],
  ])('refuses %s', (_why, xml) => bad(xml));

  it('refuses a DTD anywhere, and so never expands an entity', () => {
    expect(() => parseXml('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')).toThrow(/DTD markup \(<!DOCTYPE\) is not allowed/);
    expect(() => parseXml('<a><!ENTITY x "y"></a>')).toThrow(/DTD markup \(<!ENTITY\)/);
  });

  it('accepts what XML allows around the root: declaration, BOM, comments, PIs, white space', () => {
    const x = parseXml('\uFEFF<?xml version="1.0" encoding="utf-8"?>\n<!-- c --><?pi data?>\n<a><!-- in --><?p?>t</a>\n<!-- after -->\n');
    expect(x.local).toBe('a');
    expect(textOf(x)).toBe('t');
  });

  it('decodes the five predefined entities and character references, in text and attributes', () => {
    const x = parseXml('<a b="&lt;&#65;&#x42;&quot;&apos;">&lt;&gt;&amp;&quot;&apos;&#65;&#x1F600;</a>');
    expect(attr(x, 'b')).toBe('<AB"\'');
    expect(textOf(x)).toBe('<>&"\'A\u{1F600}');
  });

  it('keeps CDATA content as text, markup and all', () => {
    expect(textOf(parseXml('<a>x<![CDATA[<b>&amp;</b>]]>y</a>'))).toBe('x<b>&amp;</b>y');
  });

  it('normalises line ends in text, and white space in attribute values, but not what references wrote', () => {
    const x = parseXml('<a b="x\r\n\ty&#10;">1\r\n2\r3&#13;</a>');
    expect(attr(x, 'b')).toBe('x  y\n');
    expect(textOf(x)).toBe('1\n2\n3\r');
  });

  it('keeps white-space-only text nodes between elements', () => {
    const x = parseXml('<a> <b/> \n</a>');
    expect(x.children.map((c) => (isElement(c) ? `<${c.local}>` : c.text))).toEqual([' ', '<b>', ' \n']);
  });

  it('resolves prefixes by scope, default namespaces included, and leaves unprefixed attributes unqualified', () => {
    const x = parseXml('<p:a xmlns:p="urn:p" xmlns="urn:d" p:x="1" y="2"><b xmlns:p="urn:q"><p:c/></b><d/></p:a>');
    expect([x.ns, x.local, x.prefix]).toEqual(['urn:p', 'a', 'p']);
    expect(x.attrs).toEqual([
      { ns: 'urn:p', local: 'x', value: '1' },
      { ns: '', local: 'y', value: '2' },
    ]);
    const b = x.children[0] as XmlElement;
    expect(b.ns).toBe('urn:d');
    expect((b.children[0] as XmlElement).ns).toBe('urn:q');
    expect((x.children[1] as XmlElement).ns).toBe('urn:d');
    expect(attr(parseXml('<a xml:lang="en-US"/>'), 'lang', 'http://www.w3.org/XML/1998/namespace')).toBe('en-US');
  });

  it('bounds depth, attributes per element and element count', () => {
    const depth = XML_LIMITS.maxDepth + 1;
    expect(parseXml('<a>'.repeat(depth) + '</a>'.repeat(depth)).local).toBe('a');
    bad('<a>'.repeat(depth + 1) + '</a>'.repeat(depth + 1));
    const attrs = (n: number) => `<a ${Array.from({ length: n }, (_, i) => `x${i}="1"`).join(' ')}/>`;
    expect(parseXml(attrs(XML_LIMITS.maxAttributesPerElement)).attrs).toHaveLength(XML_LIMITS.maxAttributesPerElement);
    bad(attrs(XML_LIMITS.maxAttributesPerElement + 1));
    bad(`<a>${'<b/>'.repeat(XML_LIMITS.maxNodes)}</a>`);
  });

  it('reads a root start tag it has seen before exactly as the first time, and a changed one afresh', () => {
    const root = (uri: string, extra = '') => `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:p="${uri}"${extra}>`;
    const first = parseXml(`${root('urn:one')}<p:a/></s:Envelope>`);
    const again = parseXml(`${root('urn:one')}<p:b x="1"/>text</s:Envelope>`);
    expect([again.ns, again.local, again.prefix, again.attrs]).toEqual([first.ns, first.local, first.prefix, first.attrs]);
    expect(again.children).toHaveLength(2);
    expect((again.children[0] as XmlElement).ns).toBe('urn:one');
    expect(first.children).toHaveLength(1); // the trees share no children
    // One character more or less in the tag: a different namespace, or a fault, never the remembered tag.
    expect((parseXml(`${root('urn:onex')}<p:a/></s:Envelope>`).children[0] as XmlElement).ns).toBe('urn:onex');
    bad(`${root('urn:one', ' xmlns:p="urn:two"')}<p:a/></s:Envelope>`);
    bad(`${root('urn:one').slice(0, -1)} s:x="1" s:x="2"><p:a/></s:Envelope>`);
    // The children of a remembered root are still checked: an undeclared prefix, an unclosed element.
    bad(`${root('urn:one')}<q:a/></s:Envelope>`);
    bad(`${root('urn:one')}<p:a>`);
  });

  it('reads names that are JavaScript property names like any other', () => {
    const x = parseXml('<constructor __proto__="1"><toString/></constructor>');
    expect(x.local).toBe('constructor');
    expect(attr(x, '__proto__')).toBe('1');
  });

  it('still turns every malformed envelope into the invalid-XML fault', () => {
    const create = pywinrm.create();
    const limits = { maxEnvelopeSizeBytes: 512000, maxTimeoutMs: 60000 };
    expect(readEnvelope(create, limits).action).toBe('http://schemas.xmlsoap.org/ws/2004/09/transfer/Create');
    for (const broken of [create.replace('</env:Header>', ''), create.replace('stdin', 'std&in'), create.replace('<rsp:Shell>', '<rsp:Shell a="<">'), `${create}x`]) {
      let fault: unknown;
      try {
        readEnvelope(broken, limits);
      } catch (e) {
        fault = e;
      }
      expect(fault).toBeInstanceOf(WsmanFault);
      expect((fault as WsmanFault).key).toBe('InvalidXml');
    }
  });
});

// ---- properties -------------------------------------------------------------------------------

const NAMES = ['a', 'b', 'rsp:Stream', 'w:Option', 'x.y-z_1', 'é'];
const textArb = fc.string({ unit: fc.constantFrom('a', ' ', '<', '>', '&', '"', "'", '\n', '\t', ']', 'é', '\u{1F600}'), maxLength: 12 });
const elementArb: fc.Arbitrary<OutElement> = fc.letrec<{ node: OutElement }>((tie) => ({
  node: fc
    .record({
      name: fc.constantFrom(...NAMES),
      attrs: fc.uniqueArray(fc.tuple(fc.constantFrom('A', 'b', 'Name', 'w:x'), textArb), { selector: (t) => t[0], maxLength: 3 }),
      children: fc.array(fc.oneof({ depthSize: 'small' }, textArb, tie('node')), { maxLength: 4 }),
    })
    .map(({ name, attrs, children }) => el(name, attrs, ...children)),
})).node;

/** writeXml's escaping writes \r and tabs in attributes as references, so they round-trip. */
function expected(node: OutElement): unknown {
  const kids: unknown[] = [];
  for (const c of node.children ?? []) {
    if (typeof c === 'string') {
      if (c === '') continue;
      if (typeof kids[kids.length - 1] === 'string') kids[kids.length - 1] += c;
      else kids.push(c);
    } else kids.push(expected(c));
  }
  return { name: node.name.split(':').pop(), attrs: (node.attrs ?? []).map(([k, v]) => [k.split(':').pop(), v]), kids };
}

function actual(x: XmlElement): unknown {
  const kids: unknown[] = [];
  for (const c of x.children) {
    if (!isElement(c)) {
      if (c.text === '') continue;
      if (typeof kids[kids.length - 1] === 'string') kids[kids.length - 1] += c.text;
      else kids.push(c.text);
    } else kids.push(actual(c));
  }
  return { name: x.local, attrs: x.attrs.map((a) => [a.local, a.value]), kids };
}

const NS_DECLS: ReadonlyArray<readonly [string, string]> = [
  ['xmlns:rsp', 'urn:rsp'],
  ['xmlns:w', 'urn:w'],
];

describe('the XML reader: properties', () => {
  it('reads back exactly what the writer wrote (text, attributes, nesting)', () => {
    fc.assert(
      fc.property(elementArb, (root) => {
        const doc: OutElement = { ...root, attrs: [...NS_DECLS, ...(root.attrs ?? [])] };
        const back = parseXml(writeXml(doc));
        expect(actual(back)).toEqual(expected(root));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it("refuses everything fast-xml-parser's validator refuses, on mutated pywinrm envelopes", () => {
    const docs = [pywinrm.create(), pywinrm.command('S', 'echo "a & b" <x>'.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')), pywinrm.receive('S', 'C'), pywinrm.IDENTIFY];
    const pieces = ['<', '>', '&', '"', "'", '/', '=', ' ', ']]>', '<![CDATA[', '<!--', '-->', '&amp;', 'x:', ':', '<?pi?>', '</a>', '<a>'];
    fc.assert(
      fc.property(fc.nat(docs.length - 1), fc.nat(2000), fc.nat(pieces.length - 1), fc.nat(6), fc.boolean(), (d, at, p, cut, insert) => {
        const doc = docs[d]!;
        const pos = at % (doc.length + 1);
        const mutated = insert ? doc.slice(0, pos) + pieces[p]! + doc.slice(pos) : doc.slice(0, pos) + doc.slice(pos + 1 + cut);
        if (XMLValidator.validate(mutated, { allowBooleanAttributes: false }) !== true) expect(() => parseXml(mutated)).toThrow(XmlSyntaxError);
      }),
      { numRuns: 3000, seed: 11 },
    );
  });
});
