import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SelfSigned {
  key: string;
  cert: string;
  /** SHA-256 fingerprint as Node prints it (`AB:CD:…`). */
  sha256: string;
}

/**
 * A fresh self-signed certificate like a FRITZ!Box's, made with Debian's openssl binary (Node's crypto makes keys but
 * not X.509 certificates; a dev dependency for this one helper is not worth it). EC P-256: made in milliseconds.
 */
export function selfSignedCertificate(commonName = 'fritz.box'): SelfSigned {
  const dir = mkdtempSync(join(tmpdir(), 'callfilter-cert-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          key,
          '-out',
          cert,
          '-days',
          '2',
          '-subj',
          `/CN=${commonName}`,
        ],
        { stdio: 'pipe' },
      );
    } catch (err) {
      throw new Error(
        `making a test certificate needs the openssl binary (apt-get install openssl): ${(err as Error).message}`,
      );
    }
    const pem = readFileSync(cert, 'utf8');
    return { key: readFileSync(key, 'utf8'), cert: pem, sha256: new X509Certificate(pem).fingerprint256 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
