import { describe, expect, it } from 'vitest';
import { checkWebhookTarget, isPublicAddress } from './webhook-target-guard.js';

const http = { allowedSchemes: ['http', 'https'] } as const;

describe('checkWebhookTarget (SSRF guard)', () => {
  const refused = [
    'http://127.0.0.1/hook',
    'http://localhost/hook',
    'http://2130706433/hook',
    'http://0177.0.0.1/hook',
    'http://0x7f.1/hook',
    'http://127.1/hook',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:7f00:1]/hook',
    'http://0.0.0.0/hook',
    'http://[::]/hook',
    'http://10.0.0.1/hook',
    'http://172.16.5.4/hook',
    'http://192.168.1.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/',
    'http://[fe80::1]/hook',
    'http://[fc00::1]/hook',
    'http://100.64.0.1/hook',
    'http://[64:ff9b::7f00:1]/hook',
    'http://[2002:7f00:1::]/hook',
    'http://[::ffff:169.254.169.254]/',
  ];
  for (const url of refused) {
    it(`refuses ${url} without the allow flag, naming url`, async () => {
      await expect(checkWebhookTarget(url, http)).rejects.toMatchObject({
        code: 'INVALID_PARAMETER_VALUE',
        details: { field: 'url' },
      });
    });
  }

  it('accepts loopback with allowPrivateTargets and pins the resolved address', async () => {
    await expect(
      checkWebhookTarget('http://127.0.0.1:8080/x', { ...http, allowPrivateTargets: true }),
    ).resolves.toMatchObject({
      address: '127.0.0.1',
      family: 4,
    });
    await expect(
      checkWebhookTarget('http://localhost:8080/x', { ...http, allowPrivateTargets: true }),
    ).resolves.toMatchObject({
      hostname: 'localhost',
    });
  });

  it('accepts a public address, and a name every address of which is public', async () => {
    await expect(checkWebhookTarget('https://93.184.216.34/x')).resolves.toMatchObject({
      address: '93.184.216.34',
    });
    const resolve = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 },
    ];
    await expect(checkWebhookTarget('https://hooks.example.com/x', { resolve })).resolves.toMatchObject({
      hostname: 'hooks.example.com',
    });
  });

  it('refuses a name if any of its addresses is private', async () => {
    const resolve = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.1.2.3', family: 4 },
    ];
    await expect(checkWebhookTarget('https://hooks.example.com/x', { resolve })).rejects.toThrow(
      /10\.1\.2\.3/,
    );
  });

  it('allows https only by default, as MLflow (MLFLOW_WEBHOOK_ALLOWED_SCHEMES widens it), never other schemes', async () => {
    await expect(checkWebhookTarget('http://93.184.216.34/x')).rejects.toThrow(/allowed schemes are https/);
    await expect(checkWebhookTarget('ftp://93.184.216.34/x', { allowedSchemes: ['ftp'] })).rejects.toThrow(
      /scheme 'ftp'/,
    );
  });

  it('classifies addresses', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('2001:4860:4860::8888')).toBe(true);
    expect(isPublicAddress('::ffff:8.8.8.8')).toBe(true);
    expect(isPublicAddress('::ffff:10.0.0.1')).toBe(false);
    expect(isPublicAddress('not-an-ip')).toBe(false);
  });
});
