// A strict reader of the XML the kit writes (JUnit reports): it refuses what XML 1.0
// forbids and lenient parsers let through (fast-xml-parser, the only XML parser in
// node_modules, accepts "<" in an attribute value, "]]>" in text and control
// characters), and gives back the elements with their attributes and text decoded, so a
// test can check that what went in comes out. It knows what the reports use: the XML
// declaration, elements, attributes, character data, entity and character references;
// anything else (comments, CDATA, DOCTYPE) is refused as unexpected.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The character data directly inside, decoded. */
  text: string;
}

/** XML 1.0's Char production: tab, line feed, carriage return, and no other control character, surrogate or U+FFFE/U+FFFF. */
const isXmlChar = (code: number): boolean =>
  code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const SPACE = /[ \t\r\n]*/y;

/** Parses `text` as one XML document; throws an Error naming the offset and the rule broken. */
export function parseStrictXml(text: string): XmlElement {
  let at = 0;
  const fail = (rule: string): never => {
    throw new Error(`not well-formed XML at offset ${at}: ${rule} (near ${JSON.stringify(text.slice(Math.max(0, at - 20), at + 20))})`);
  };
  for (const char of text) if (!isXmlChar(char.codePointAt(0)!)) fail(`U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} is not an XML character`);

  const skipSpace = (): void => {
    SPACE.lastIndex = at;
    SPACE.exec(text);
    at = SPACE.lastIndex;
  };
  const name = (): string => {
    NAME.lastIndex = at;
    const found = NAME.exec(text)?.[0];
    if (!found) fail('expected a name');
    at += found!.length;
    return found!;
  };
  /** Decodes a reference at `at` (which is "&"). */
  const reference = (): string => {
    const end = text.indexOf(';', at);
    if (end === -1) fail('"&" that starts no reference');
    const body = text.slice(at + 1, end);
    let decoded: string | undefined;
    if (/^#[0-9]+$/.test(body) || /^#x[0-9A-Fa-f]+$/.test(body)) {
      const code = body[1] === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (!isXmlChar(code)) fail(`&${body}; refers to no XML character`);
      decoded = String.fromCodePoint(code);
    } else decoded = ENTITIES[body];
    if (decoded === undefined) fail(`&${body}; is not a predefined entity`);
    at = end + 1;
    return decoded!;
  };
  const attributeValue = (): string => {
    const quote = text[at];
    if (quote !== '"' && quote !== "'") fail('an attribute value must be quoted');
    at++;
    let value = '';
    for (;;) {
      const c = text[at];
      if (c === undefined) fail('attribute value never closed');
      if (c === quote) break;
      if (c === '<') fail('"<" in an attribute value');
      if (c === '&') value += reference();
      else {
        value += c;
        at++;
      }
    }
    at++;
    return value;
  };
  const element = (): XmlElement => {
    if (text[at] !== '<') fail('expected "<"');
    at++;
    const node: XmlElement = { name: name(), attributes: {}, children: [], text: '' };
    for (;;) {
      const before = at;
      skipSpace();
      if (text.startsWith('/>', at)) {
        at += 2;
        return node;
      }
      if (text[at] === '>') {
        at++;
        break;
      }
      if (at === before) fail('attributes must be separated by white space');
      const attribute = name();
      if (attribute in node.attributes) fail(`attribute ${attribute} given twice`);
      skipSpace();
      if (text[at] !== '=') fail('expected "=" after an attribute name');
      at++;
      skipSpace();
      node.attributes[attribute] = attributeValue();
    }
    for (;;) {
      const c = text[at];
      if (c === undefined) fail(`<${node.name}> never closed`);
      if (text.startsWith('</', at)) {
        at += 2;
        if (name() !== node.name) fail(`closing tag does not match <${node.name}>`);
        skipSpace();
        if (text[at] !== '>') fail('expected ">"');
        at++;
        return node;
      }
      if (text.startsWith('<!', at) || text.startsWith('<?', at)) fail('comments, CDATA, DOCTYPE and processing instructions are not expected here');
      if (c === '<') node.children.push(element());
      else if (c === '&') node.text += reference();
      else {
        if (text.startsWith(']]>', at)) fail('"]]>" in character data');
        node.text += c;
        at++;
      }
    }
  };

  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>');
    if (end === -1) fail('XML declaration never closed');
    if (!/^<\?xml version="1\.0"( encoding="UTF-8")?\?>$/.test(text.slice(0, end + 2))) fail('unexpected XML declaration');
    at = end + 2;
  }
  skipSpace();
  const root = element();
  skipSpace();
  if (at !== text.length) fail('content after the root element');
  return root;
}
