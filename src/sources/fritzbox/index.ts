// The FRITZ!Box over TR-064 (X_AVM-DE_OnTel): phone books and the call-barring list.

export { barringEntryXml, boxNumber } from './barring.js';
export { type FetchOptions, FritzboxClient, type FritzboxClientOptions, type PhonebookInfo } from './client.js';
export {
  FritzboxAuthError,
  FritzboxCertificateError,
  FritzboxError,
  FritzboxLockedError,
  FritzboxProtocolError,
  FritzboxSoapError,
} from './errors.js';
export { normaliseFingerprint } from './http.js';
export { type PhonebookFetch, phonebookTimestamp, readPhonebook } from './phonebook.js';
export { ONTEL_CONTROL_URL, ONTEL_SERVICE } from './soap.js';
