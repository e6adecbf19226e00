import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CairnError, invalidParameter } from '@cairn/core';

/**
 * Fernet (AES-128-CBC + HMAC-SHA256, the `cryptography` package's format), which MLflow encrypts webhook
 * secrets with under `MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY`: with the same key, MLflow and Cairn read each
 * other's `webhooks.secret` column.
 */
export interface Fernet {
  encrypt(text: string): string;
  decrypt(token: string): string;
}

const fromBase64Url = (text: string) => Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
const toBase64Url = (bytes: Buffer) => bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

/** A Fernet over a url-safe base64 key of 32 bytes; INVALID_PARAMETER_VALUE naming the variable otherwise. */
export function createFernet(key: string): Fernet {
  const bytes = fromBase64Url(key.trim());
  if (bytes.length !== 32) {
    throw invalidParameter(
      'MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY must be 32 url-safe base64-encoded bytes (a Fernet key)',
      { field: 'MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY' },
    );
  }
  const signingKey = bytes.subarray(0, 16);
  const encryptionKey = bytes.subarray(16);
  const sign = (data: Buffer) => createHmac('sha256', signingKey).update(data).digest();
  return {
    encrypt(text) {
      const iv = randomBytes(16);
      const time = Buffer.alloc(8);
      time.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000)));
      const cipher = createCipheriv('aes-128-cbc', encryptionKey, iv);
      const body = Buffer.concat([
        Buffer.from([0x80]),
        time,
        iv,
        cipher.update(text, 'utf8'),
        cipher.final(),
      ]);
      return toBase64Url(Buffer.concat([body, sign(body)]));
    },
    decrypt(token) {
      const data = fromBase64Url(token);
      const body = data.subarray(0, data.length - 32);
      const mac = data.subarray(data.length - 32);
      if (data.length < 1 + 8 + 16 + 16 + 32 || data[0] !== 0x80 || !timingSafeEqual(mac, sign(body))) {
        throw new CairnError(
          'INTERNAL_ERROR',
          'A webhook secret could not be decrypted: it was written with another MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY',
        );
      }
      const decipher = createDecipheriv('aes-128-cbc', encryptionKey, body.subarray(9, 25));
      return Buffer.concat([decipher.update(body.subarray(25)), decipher.final()]).toString('utf8');
    },
  };
}
