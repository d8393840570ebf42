// A W3C VC API facade over Digital Bazaar's @digitalbazaar/vc with eddsa-rdfc-2022: an
// independent implementation for the conformance matrix. Loopback test use only.
//
//   node server.mjs --port 8123 [--seed <64 hex chars>]
//
// POST /credentials/issue  {credential, options}  -> 201 {verifiableCredential}
// POST /credentials/verify {verifiableCredential} -> 200/422 {verified, errors, warnings}
// Issues as did:key (Ed25519, Multikey); resolves did:key, and did:web over http for
// 127.0.0.1/localhost only (the other test platforms), https otherwise.
import http from 'node:http';
import crypto from 'node:crypto';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {securityLoader} from '@digitalbazaar/security-document-loader';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, value, index, all) =>
  index % 2 === 0 ? [...pairs, [value.replace(/^--/, ''), all[index + 1]]] : pairs, []));
const port = Number(args.port || 8123);
const seed = args.seed ? Buffer.from(args.seed, 'hex') : crypto.randomBytes(32);

const keyPair = await Ed25519Multikey.generate({seed});
const did = `did:key:${keyPair.publicKeyMultibase}`;
keyPair.controller = did;
keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;

const base = securityLoader().build();

async function didWeb(url) {
  const [didPart] = url.split('#');
  const parts = didPart.slice('did:web:'.length).split(':').map(decodeURIComponent);
  const host = parts.shift();
  const path = parts.length ? `/${parts.join('/')}/did.json` : '/.well-known/did.json';
  const loopback = /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host);
  const response = await fetch(`${loopback ? 'http' : 'https'}://${host}${path}`);
  if(!response.ok) {
    throw new Error(`did:web ${didPart}: HTTP ${response.status}`);
  }
  const document = await response.json();
  if(url.includes('#')) {
    const method = [...(document.verificationMethod || [])].find(
      m => m.id === url || `${didPart}${m.id}` === url);
    if(!method) {
      throw new Error(`no verification method ${url}`);
    }
    return {'@context': document['@context'], ...method};
  }
  return document;
}

async function documentLoader(url) {
  if(url.startsWith('did:web:')) {
    return {contextUrl: null, documentUrl: url, document: await didWeb(url)};
  }
  return base(url);
}

async function readJson(request) {
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if(size > 1 << 20) {
      throw Object.assign(new Error('body too large'), {status: 413});
    }
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function send(response, status, body) {
  response.writeHead(status, {'Content-Type': 'application/json'});
  response.end(JSON.stringify(body));
}

async function issue(body) {
  const credential = structuredClone(body.credential);
  if(!credential || typeof credential !== 'object') {
    return [400, {title: 'credential is required'}];
  }
  const format = body.options?.format;
  if(format && format !== 'eddsa-rdfc-2022') {
    return [400, {title: `format ${format} is not supported (eddsa-rdfc-2022 only)`}];
  }
  credential.issuer ??= did;
  const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite});
  try {
    const verifiableCredential = await vc.issue({credential, suite, documentLoader});
    return [201, {verifiableCredential}];
  } catch(error) {
    return [400, {title: 'cannot issue', detail: String(error?.message || error)}];
  }
}

async function verify(body) {
  const credential = body.verifiableCredential;
  if(!credential || typeof credential !== 'object') {
    return [400, {title: 'verifiableCredential must be a JSON object (no vc+jwt here)'}];
  }
  const suite = new DataIntegrityProof({cryptosuite});
  try {
    const result = await vc.verifyCredential({credential, suite, documentLoader});
    const errors = [];
    if(!result.verified) {
      const collect = e => e && errors.push({title: e.name || 'error', detail: e.message});
      collect(result.error);
      for(const r of result.results || []) {
        collect(r.error);
      }
    }
    return [result.verified ? 200 : 422,
      {verified: result.verified, checks: ['proof'], errors, warnings: []}];
  } catch(error) {
    return [422, {verified: false, checks: [], warnings: [],
      errors: [{title: 'error', detail: String(error?.message || error)}]}];
  }
}

const server = http.createServer(async (request, response) => {
  try {
    if(request.method === 'GET' && request.url === '/healthz') {
      return send(response, 200, {status: 'ok', did});
    }
    if(request.method !== 'POST') {
      return send(response, 405, {title: 'method not allowed'});
    }
    const body = await readJson(request);
    if(request.url === '/credentials/issue') {
      return send(response, ...(await issue(body)));
    }
    if(request.url === '/credentials/verify') {
      return send(response, ...(await verify(body)));
    }
    return send(response, 404, {title: 'not found'});
  } catch(error) {
    return send(response, error.status || 400, {title: 'bad request', detail: String(error)});
  }
});
server.listen(port, '127.0.0.1', () => console.log(`listening ${port} ${did}`));
