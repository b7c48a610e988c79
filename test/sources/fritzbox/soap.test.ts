import { describe, expect, it } from 'vitest';
import { FritzboxProtocolError, FritzboxSoapError } from '../../../src/sources/fritzbox/index.js';
import {
  escapeXml,
  ONTEL_SERVICE,
  parseSoapFault,
  parseSoapResponse,
  soapAction,
  soapEnvelope,
} from '../../../src/sources/fritzbox/soap.js';

describe('SOAP for X_AVM-DE_OnTel', () => {
  it('writes the request envelope with escaped arguments and the quoted SOAPAction', () => {
    expect(soapEnvelope(ONTEL_SERVICE, 'GetPhonebook', { NewPhonebookID: 0 })).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
        '<s:Body><u:GetPhonebook xmlns:u="urn:dslforum-org:service:X_AVM-DE_OnTel:1"><NewPhonebookID>0</NewPhonebookID></u:GetPhonebook></s:Body></s:Envelope>',
    );
    expect(
      soapEnvelope(ONTEL_SERVICE, 'SetCallBarringEntry', { NewPhonebookEntryData: '<contact>A & B</contact>' }),
    ).toContain('<NewPhonebookEntryData>&lt;contact&gt;A &amp; B&lt;/contact&gt;</NewPhonebookEntryData>');
    expect(soapAction(ONTEL_SERVICE, 'GetCallBarringList')).toBe(
      '"urn:dslforum-org:service:X_AVM-DE_OnTel:1#GetCallBarringList"',
    );
    expect(escapeXml('"<&>"')).toBe('&quot;&lt;&amp;&gt;&quot;');
  });

  it('reads the out arguments of the response, entities decoded, empty ones as ""', () => {
    const xml =
      '<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">\n<s:Body>\n' +
      '<u:GetPhonebookResponse xmlns:u="urn:dslforum-org:service:X_AVM-DE_OnTel:1">\n<NewPhonebookName>Familie &amp; Freunde</NewPhonebookName>\n<NewPhonebookExtraID></NewPhonebookExtraID>\n' +
      '<NewPhonebookURL>http://fritz.box:49000/phonebook.lua?sid=0123456789abcdef&amp;pbid=1</NewPhonebookURL>\n<NewEmpty/>\n</u:GetPhonebookResponse>\n</s:Body>\n</s:Envelope>';
    expect(parseSoapResponse('GetPhonebook', xml)).toEqual({
      NewPhonebookName: 'Familie & Freunde',
      NewPhonebookExtraID: '',
      NewPhonebookURL: 'http://fritz.box:49000/phonebook.lua?sid=0123456789abcdef&pbid=1',
      NewEmpty: '',
    });
  });

  it('refuses an answer without the response element or that is not XML', () => {
    expect(() => parseSoapResponse('GetPhonebook', '<s:Envelope><s:Body><u:Other/></s:Body></s:Envelope>')).toThrow(
      FritzboxProtocolError,
    );
    expect(() => parseSoapResponse('GetPhonebook', '<html><body <!-- broken')).toThrow(FritzboxProtocolError);
  });

  it('reads the UPnP error of a fault', () => {
    const fault =
      '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring>' +
      '<detail><UPnPError xmlns="urn:dslforum-org:control-1-0"><errorCode>606</errorCode><errorDescription>Action Not Authorized</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>';
    const err = parseSoapFault('GetCallBarringList', fault);
    expect(err).toBeInstanceOf(FritzboxSoapError);
    expect(err).toMatchObject({ action: 'GetCallBarringList', code: 606, description: 'Action Not Authorized' });
    expect(parseSoapFault('X', '<html>500 Internal Server Error</html>')).toBeUndefined();
  });
});
