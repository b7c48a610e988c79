// The FRITZ!Box over TR-064 (X_AVM-DE_OnTel): phone books and the call-barring list.
export { FritzboxClient, type FetchOptions, type FritzboxClientOptions, type PhonebookInfo } from './client.js';
export { barringEntryXml, boxNumber } from './barring.js';
export { readPhonebook, phonebookTimestamp, type PhonebookFetch } from './phonebook.js';
export { normaliseFingerprint } from './http.js';
export {
  FritzboxAuthError,
  FritzboxCertificateError,
  FritzboxError,
  FritzboxLockedError,
  FritzboxProtocolError,
  FritzboxSoapError,
} from './errors.js';
export { ONTEL_CONTROL_URL, ONTEL_SERVICE } from './soap.js';
