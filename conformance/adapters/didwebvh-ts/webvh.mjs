// didwebvh-ts (the DIF reference implementation of did:webvh) as a command-line tool, so the
// tests can check that its logs resolve with vcservice and vcservice's logs resolve with it.
//
//   node webvh.mjs create --domain <host[:path...]> --seed <64 hex> [--rotate]
//       prints {"did", "log"}: a new DID (update key from the seed, pre-rotation committed to
//       the next key); with --rotate a second entry rotates the update key to that next key.
//   node webvh.mjs resolve --did <did> --log <file> [--witness <file>] [--version-number N]
//       prints didwebvh-ts's resolution result {"did", "doc", "meta"}, or {"error"} and exit 1.
//
// Keys are Ed25519 from node:crypto; key n (n >= 1) has seed sha256(seed || n), so runs are
// reproducible. Test keys only.
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  createDID,
  deriveNextKeyHash,
  MultibaseEncoding,
  multibaseEncode,
  prepareDataForSigning,
  resolveDIDFromLog,
  updateDID,
} from 'didwebvh-ts';

const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

function keyAt(seed, n) {
  const raw = n === 0 ? seed : createHash('sha256').update(seed).update(Buffer.from([n])).digest();
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, raw]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicRaw = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(12);
  const multikey = multibaseEncode(
    new Uint8Array([0xed, 0x01, ...publicRaw]),
    MultibaseEncoding.BASE58_BTC,
  );
  const signer = {
    getVerificationMethodId: () => `did:key:${multikey}#${multikey}`,
    async sign({ document, proof }) {
      const data = await prepareDataForSigning(document, proof);
      return { proofValue: multibaseEncode(sign(null, data, privateKey), MultibaseEncoding.BASE58_BTC) };
    },
  };
  return { multikey, signer };
}

// didwebvh-ts hands the verifier the raw 32-byte Ed25519 public key.
const verifier = {
  async verify(signature, message, publicKey) {
    const key = createPublicKey({
      key: Buffer.concat([SPKI_ED25519, Buffer.from(publicKey)]),
      format: 'der',
      type: 'spki',
    });
    return verify(null, message, key, signature);
  },
};

const methodsFor = (key) => [{ type: 'Multikey', publicKeyMultibase: key.multikey }];

async function create({ domain, seed, rotate }) {
  if (!domain || !/^[0-9a-f]{64}$/i.test(seed ?? '')) {
    throw new Error('create needs --domain <host[:path...]> and --seed <64 hex>');
  }
  const [host, ...paths] = domain.split(':');
  const seedBytes = Buffer.from(seed, 'hex');
  const keys = [keyAt(seedBytes, 0), keyAt(seedBytes, 1), keyAt(seedBytes, 2)];
  const created = await createDID({
    domain: host,
    paths,
    signer: keys[0].signer,
    verifier,
    updateKeys: [keys[0].multikey],
    nextKeyHashes: [await deriveNextKeyHash(keys[1].multikey)],
    verificationMethods: methodsFor(keys[0]),
  });
  let { log } = created;
  if (rotate) {
    ({ log } = await updateDID({
      log,
      signer: keys[1].signer,
      verifier,
      updateKeys: [keys[1].multikey],
      nextKeyHashes: [await deriveNextKeyHash(keys[2].multikey)],
      verificationMethods: methodsFor(keys[1]),
    }));
  }
  const text = `${log.map((entry) => JSON.stringify(entry)).join('\n')}\n`;
  return { did: created.did, log: text };
}

async function resolve({ did, log, witness, 'version-number': versionNumber }) {
  if (!did || !log) throw new Error('resolve needs --did <did> and --log <file>');
  const entries = readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
  const options = { verifier, requestedDid: did };
  if (versionNumber !== undefined) options.versionNumber = Number(versionNumber);
  if (witness) options.witnessProofs = JSON.parse(readFileSync(witness, 'utf8'));
  const result = await resolveDIDFromLog(entries, options);
  if (result.did !== did) throw new Error(`the log is for ${result.did}, not ${did}`);
  return result;
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    domain: { type: 'string' },
    seed: { type: 'string' },
    rotate: { type: 'boolean', default: false },
    did: { type: 'string' },
    log: { type: 'string' },
    witness: { type: 'string' },
    'version-number': { type: 'string' },
  },
});
const commands = { create, resolve };
const command = commands[positionals[0]];
try {
  if (!command) throw new Error('usage: webvh.mjs create|resolve [options]');
  process.stdout.write(`${JSON.stringify(await command(values))}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: String(error?.message ?? error) })}\n`);
  process.exitCode = 1;
}
