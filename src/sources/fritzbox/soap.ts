import { XmlSyntaxError, xmlTokens } from '../../import/formats/xml-tokens.js';
import { FritzboxProtocolError, FritzboxSoapError } from './errors.js';

/** The service of phone books and call barring (AVM "TR-064 – X_AVM-DE_OnTel"). */
export const ONTEL_SERVICE = 'urn:dslforum-org:service:X_AVM-DE_OnTel:1';
/** Its control URL in tr64desc.xml. */
export const ONTEL_CONTROL_URL = '/upnp/control/x_contact';

/** XML 1.0 §2.4: `&` and `<` must be escaped in text; `>` too, for `]]>`. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch] ?? ch);
}

/** A SOAP 1.1 request for `action` of `service`, arguments as unprefixed child elements (UPnP Device Architecture §3.2.1). */
export function soapEnvelope(service: string, action: string, args: Record<string, string | number> = {}): string {
  const body = Object.entries(args)
    .map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
    `<s:Body><u:${action} xmlns:u="${service}">${body}</u:${action}></s:Body></s:Envelope>`
  );
}

/** The `SOAPAction` header value: the service type and action, quoted (SOAP 1.1 §6.1.1). */
export function soapAction(service: string, action: string): string {
  return `"${service}#${action}"`;
}

const local = (name: string): string => name.slice(name.indexOf(':') + 1);

/**
 * The out arguments of `<u:{action}Response>`: each child element's text by its name. Throws FritzboxProtocolError
 * when the body is not XML or has no such element.
 */
export function parseSoapResponse(action: string, xml: string): Record<string, string> {
  const want = `${action}Response`;
  const out: Record<string, string> = {};
  let depth = 0;
  let responseDepth = -1;
  let arg: string | undefined;
  try {
    for (const tok of xmlTokens(xml)) {
      if (tok.type === 'open') {
        depth += 1;
        if (responseDepth === -1 && local(tok.name) === want) responseDepth = depth;
        else if (responseDepth !== -1 && depth === responseDepth + 1) {
          arg = local(tok.name);
          out[arg] = '';
        }
        if (tok.selfClosing) {
          depth -= 1;
          arg = undefined;
        }
      } else if (tok.type === 'close') {
        if (depth === responseDepth) return out;
        depth -= 1;
        arg = undefined;
      } else if (arg !== undefined) {
        out[arg] += tok.text;
      }
    }
  } catch (err) {
    if (err instanceof XmlSyntaxError)
      throw new FritzboxProtocolError(`the answer to ${action} is not XML: ${err.message}`);
    throw err;
  }
  throw new FritzboxProtocolError(`the answer to ${action} has no <${want}>`);
}

/** The UPnP error of a SOAP fault (`<detail><UPnPError><errorCode>…`), or undefined when `xml` carries none. */
export function parseSoapFault(action: string, xml: string): FritzboxSoapError | undefined {
  let code: string | undefined;
  let description = '';
  let current: string | undefined;
  try {
    for (const tok of xmlTokens(xml)) {
      if (tok.type === 'open') current = local(tok.name);
      else if (tok.type === 'close') current = undefined;
      else if (current === 'errorCode') code = (code ?? '') + tok.text;
      else if (current === 'errorDescription') description += tok.text;
    }
  } catch {
    return undefined;
  }
  const n = code === undefined ? NaN : Number.parseInt(code.trim(), 10);
  return Number.isInteger(n) ? new FritzboxSoapError(action, n, description.trim()) : undefined;
}
