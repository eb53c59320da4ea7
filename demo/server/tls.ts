// A self-signed certificate for 127.0.0.1, made in-process with node:crypto (kubectl does not
// send a bearer token over plain http, so the demo cluster speaks https). The certificate is its
// own CA; the kubeconfig carries it as certificate-authority-data, so clients verify normally.
import {generateKeyPairSync, randomBytes, sign} from 'node:crypto';

function len(n: number): Buffer {
	if (n < 0x80) return Buffer.from([n]);
	const bytes: number[] = [];
	while (n > 0) {
		bytes.unshift(n & 0xff);
		n >>= 8;
	}
	return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, ...parts: Buffer[]) => {
	const body = Buffer.concat(parts);
	return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...parts: Buffer[]) => tlv(0x30, ...parts);
const set = (...parts: Buffer[]) => tlv(0x31, ...parts);
const octets = (...parts: Buffer[]) => tlv(0x04, ...parts);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));

function oid(text: string): Buffer {
	const arcs = text.split('.').map(Number);
	const out = [40 * arcs[0]! + arcs[1]!];
	for (const arc of arcs.slice(2)) {
		const chunk = [arc & 0x7f];
		let rest = Math.floor(arc / 128);
		while (rest > 0) {
			chunk.unshift((rest & 0x7f) | 0x80);
			rest = Math.floor(rest / 128);
		}
		out.push(...chunk);
	}
	return tlv(0x06, Buffer.from(out));
}

function utcTime(ms: number): Buffer {
	const iso = new Date(ms).toISOString();
	const text = iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z';
	return tlv(0x17, Buffer.from(text, 'ascii'));
}

const pem = (label: string, der: Buffer) => `-----BEGIN ${label}-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;

export function selfSignedCertificate(nowMs = Date.now()): {key: string; cert: string} {
	const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'});
	const spki = publicKey.export({type: 'spki', format: 'der'});
	const ecdsaSha256 = seq(oid('1.2.840.10045.4.3.2'));
	const name = seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from('podwatch-demo')))));
	const serial = randomBytes(16);
	serial[0] = (serial[0]! & 0x7f) | 0x01;
	const extensions = seq(
		seq(oid('2.5.29.19'), bool(true), octets(seq(bool(true)))),
		seq(oid('2.5.29.15'), bool(true), octets(tlv(0x03, Buffer.from([0x02, 0x84])))),
		seq(oid('2.5.29.37'), octets(seq(oid('1.3.6.1.5.5.7.3.1')))),
		seq(oid('2.5.29.17'), octets(seq(tlv(0x87, Buffer.from([127, 0, 0, 1])), tlv(0x82, Buffer.from('localhost'))))),
	);
	const tbs = seq(
		tlv(0xa0, tlv(0x02, Buffer.from([2]))),
		tlv(0x02, serial),
		ecdsaSha256,
		name,
		seq(utcTime(nowMs - 3600_000), utcTime(nowMs + 365 * 24 * 3600_000)),
		name,
		spki,
		tlv(0xa3, extensions),
	);
	const signature = sign('sha256', tbs, privateKey);
	const cert = seq(tbs, ecdsaSha256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
	return {key: privateKey.export({type: 'pkcs8', format: 'pem'}).toString(), cert: pem('CERTIFICATE', cert)};
}
