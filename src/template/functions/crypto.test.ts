import bcryptjs from 'bcryptjs';
import { constants, generateKeyPairSync, publicEncrypt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, callError, callWith, testContext, type Case, type ErrorCase } from './test-helpers.js';

describe('hashing and crypto functions', () => {
  it.each<Case>([
    ['md5', ['hello world'], '5eb63bbbe01eeed093cb22bb8f5acdc3'],
    ['sha1', ['hello world'], '2aae6c35c94fcfb415dbe95f408b9ce91ee846ed'],
    ['sha256', ['hello world'], 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9'],
    [
      'sha512',
      ['hello world'],
      '309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f',
    ],
    ['base64sha256', ['hello world'], 'uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek='],
    ['base64sha512', ['hello world'], 'MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw=='],
    ['md5', ['☃'], '48856faf4534a876adeadc72aec53cb2'],
    ['uuidv5', ['dns', 'www.terraform.io'], 'a5008fae-b28c-5ba5-96cd-82b4c53552d6'],
    ['uuidv5', ['url', 'https://www.terraform.io/'], '9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5'],
    ['uuidv5', ['oid', '1.3.6.1.4'], 'af9d40a5-7a36-5c07-b23a-851cd99fbfa5'],
    ['uuidv5', ['x500', 'CN=Example Company Name,O=Example,C=US'], 'd7091ab1-28b9-541e-b705-d9ec59124c2e'],
    ['uuidv5', ['6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.terraform.io'], 'a5008fae-b28c-5ba5-96cd-82b4c53552d6'],
    ['uuidv5', ['{6ba7b810-9dad-11d1-80b4-00c04fd430c8}', 'www.terraform.io'], 'a5008fae-b28c-5ba5-96cd-82b4c53552d6'],
    ['uuidv5', ['urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.terraform.io'], 'a5008fae-b28c-5ba5-96cd-82b4c53552d6'],
  ])('%s(%j) = %j', (name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  it.each<ErrorCase>([
    ['uuidv5', ['nope', 'x'], 'Call to function "uuidv5" failed: uuidv5() doesn\'t support namespace nope (invalid UUID length: 4).'],
    ['uuidv5', ['6ba7b810-9dad-11d1-80b4-00c04fd430cz', 'x'], 'Call to function "uuidv5" failed: uuidv5() doesn\'t support namespace 6ba7b810-9dad-11d1-80b4-00c04fd430cz (invalid UUID format).'],
    ['bcrypt', ['x', 32], 'Call to function "bcrypt" failed: error occured generating password crypto/bcrypt: cost 32 is outside allowed range (4,31).'],
    ['bcrypt', ['x', 5, 6], 'Call to function "bcrypt" failed: bcrypt() takes no more than two arguments.'],
    ['bcrypt', ['x'.repeat(73)], 'Call to function "bcrypt" failed: error occured generating password bcrypt: password length exceeds 72 bytes.'],
  ])('%s(%j) fails: %s', (name, args, message) => {
    expect(callError(name, ...args).message).toBe(message);
  });

  it('bcrypt produces a verifiable $2a$ hash with the requested cost (default 10)', () => {
    const h = call('bcrypt', 'hello world', 5) as string;
    expect(h).toMatch(/^\$2a\$05\$/);
    expect(bcryptjs.compareSync('hello world', h)).toBe(true);
    expect(call('bcrypt', 'x', 3) as string).toMatch(/^\$2a\$10\$/); // Go's bcrypt uses the default below the minimum
  });

  it('uuidv4 returns a fresh random version 4 UUID', () => {
    const a = call('uuidv4') as string;
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(call('uuidv4')).not.toBe(a);
  });

  describe('rsadecrypt', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const encrypt = (text: string): string =>
      publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(text)).toString('base64');

    it('decrypts PKCS #1 v1.5 ciphertext with a PKCS #1 or PKCS #8 PEM key', () => {
      expect(call('rsadecrypt', encrypt('Hello, world!'), pkcs1)).toBe('Hello, world!');
      expect(call('rsadecrypt', encrypt('☃'), pkcs8)).toBe('☃');
    });

    it.each<[string, () => [string, string], string]>([
      ['ciphertext that is not base64', () => ['%%%', pkcs1], 'failed to decode input "%%%": cipher text must be base64-encoded'],
      ['a key that is not PEM', () => [encrypt('x'), 'nope'], 'invalid private key: ssh: no key found'],
      ['ciphertext for another key', () => [Buffer.alloc(128, 7).toString('base64'), pkcs1], 'failed to decrypt: crypto/rsa: decryption error'],
      ['ciphertext of the wrong length', () => ['AAAA', pkcs1], 'failed to decrypt: crypto/rsa: decryption error'],
    ])('fails on %s', (_what, args, reason) => {
      expect(callError('rsadecrypt', ...args()).message).toBe(`Call to function "rsadecrypt" failed: ${reason}.`);
    });
  });

  describe('file hashes', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'imgbuild-crypto-'));
      writeFileSync(join(dir, 'hello.txt'), 'hello world');
      writeFileSync(join(dir, 'bin'), Buffer.from([0xff, 0x00, 0xfe]));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each<[string, string, string]>([
      ['filemd5', 'hello.txt', '5eb63bbbe01eeed093cb22bb8f5acdc3'],
      ['filesha1', 'hello.txt', '2aae6c35c94fcfb415dbe95f408b9ce91ee846ed'],
      ['filesha256', 'hello.txt', 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9'],
      ['filesha512', 'hello.txt', '309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f'],
      ['filemd5', 'bin', '13a18f27d9e54107c1d22c7d67f55018'], // bytes, not UTF-8 text
    ])('%s(%s) hashes the file bytes relative to the base dir', (name, file, expected) => {
      expect(callWith(testContext({ baseDir: dir }), name, file)).toBe(expected);
    });

    it('reports a missing file with its resolved path', () => {
      const ctx = testContext({ baseDir: dir });
      expect(() => callWith(ctx, 'filesha256', 'nope')).toThrow(
        `Call to function "filesha256" failed: no file exists at ${join(dir, 'nope')}.`,
      );
    });
  });
});
