// Digital Bazaar baseline: @digitalbazaar/vc + eddsa-rdfc-2022-cryptosuite, timed in-process
// with the same method as the Python figures (warm-up, then the median of many sequential
// runs). Contexts are served from the files vcservice bundles; did:key is resolved locally by
// Digital Bazaar's security document loader; nothing is fetched from the network.
//
//   node bench.mjs input.json   ->  JSON on stdout
//
// input.json: {contexts: {url: path}, credentials: [{key, credential}], runs, warmup, maxSeconds}
import crypto from 'node:crypto';
import fs from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {securityLoader} from '@digitalbazaar/security-document-loader';

const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const contexts = new Map(Object.entries(input.contexts).map(
  ([url, path]) => [url, JSON.parse(fs.readFileSync(path, 'utf8'))]));
const base = securityLoader().build();

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  if(url.startsWith('did:key:')) {
    return base(url);
  }
  throw new Error(`refusing to load ${url} (offline benchmark)`);
}

const seed = crypto.createHash('sha256').update('vcservice bench digitalbazaar').digest();
const keyPair = await Ed25519Multikey.generate({seed});
const did = `did:key:${keyPair.publicKeyMultibase}`;
keyPair.controller = did;
keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;

function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = pct => sorted[Math.min(sorted.length, Math.max(1, Math.round(pct / 100 * sorted.length + 0.5))) - 1];
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return {median_s: median, p10_s: at(10), p90_s: at(90), runs: sorted.length};
}

async function measure(fn) {
  // Warm up at least `warmup` calls and half a second, so V8 has optimized the hot paths.
  const warm = process.hrtime.bigint();
  for(let i = 0; i < input.warmup || Number(process.hrtime.bigint() - warm) < 5e8; i++) {
    await fn();
  }
  const samples = [];
  let spent = 0;
  for(let i = 0; i < input.runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    samples.push(seconds);
    spent += seconds;
    if(spent > input.maxSeconds && samples.length >= 5) {
      break;
    }
  }
  return summary(samples);
}

function issue(credential) {
  const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite});
  return vc.issue({credential: structuredClone(credential), suite, documentLoader});
}

async function verify(credential) {
  const suite = new DataIntegrityProof({cryptosuite});
  const result = await vc.verifyCredential({credential, suite, documentLoader});
  if(!result.verified) {
    throw new Error(JSON.stringify(result.error || result.results, null, 1));
  }
  return result;
}

const versions = {node: process.version};
for(const name of ['@digitalbazaar/vc', '@digitalbazaar/eddsa-rdfc-2022-cryptosuite',
  '@digitalbazaar/data-integrity', 'jsonld', 'rdf-canonize']) {
  try {
    const path = new URL(`./node_modules/${name}/package.json`, import.meta.url);
    versions[name] = JSON.parse(fs.readFileSync(path, 'utf8')).version;
  } catch {
    versions[name] = 'unknown';
  }
}

const results = {};
for(const {key, credential} of input.credentials) {
  const unsigned = structuredClone(credential);
  if(unsigned.issuer && typeof unsigned.issuer === 'object') {
    unsigned.issuer.id = did;
  } else {
    unsigned.issuer = did;
  }
  const signed = await issue(unsigned);
  await verify(signed);
  results[key] = {
    issue: await measure(() => issue(unsigned)),
    verify: await measure(() => verify(signed)),
  };
}
process.stdout.write(JSON.stringify({versions, results}) + '\n');
