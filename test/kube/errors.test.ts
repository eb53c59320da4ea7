import assert from 'node:assert/strict';
import net from 'node:net';
import {after, test} from 'node:test';
import {ApiException} from '@kubernetes/client-node';
import {classifyError, describeError, KubeApiError} from '../../source/kube/errors.js';
import {Transport} from '../../source/kube/transport.js';
import {kubeConfigFor, sendJson, startFakeApi, status} from './fake-api.js';
import type {FakeApi} from './fake-api.js';

const apis: FakeApi[] = [];
after(async () => {
	for (const api of apis) await api.close();
});

async function errorFrom(code: number, body: unknown): Promise<{error: unknown; server: string}> {
	const api = await startFakeApi((_request, res) => sendJson(res, code, body));
	apis.push(api);
	const transport = new Transport(api.kc);
	const error = await transport.getJson('/api/v1/namespaces/default/pods/x').then(
		() => assert.fail('expected an error'),
		(error: unknown) => error,
	);
	return {error, server: api.url};
}

function assertParagraph(message: string): void {
	assert.ok(!message.includes('\n'), 'one paragraph');
	assert.ok(!/\bat .+:\d+:\d+/.test(message), 'no stack trace');
}

test('401 from the server: kubectl\'s "must be logged in" with a fix', async () => {
	const {error, server} = await errorFrom(401, status(401, 'Unauthorized', 'Unauthorized'));
	const message = describeError(error, {server, context: 'kind-kind'});
	assert.match(message, /^You must be logged in to the server \(Unauthorized\)\. .*context "kind-kind".*log in again/);
	assertParagraph(message);
});

test('403 keeps the verb and resource from the Status message', async () => {
	const text = 'pods "x" is forbidden: User "bob" cannot get resource "pods/log" in API group "" in the namespace "default"';
	const {error, server} = await errorFrom(403, status(403, 'Forbidden', text));
	const message = describeError(error, {server});
	assert.ok(message.startsWith(`Error from server (Forbidden): ${text}.`), message);
	assert.match(message, /kubectl auth can-i/);
	assertParagraph(message);
});

test('404 pod and 404 namespace are told apart', async () => {
	const pod = await errorFrom(404, status(404, 'NotFound', 'pods "x" not found'));
	assert.match(describeError(pod.error), /^Error from server \(NotFound\): pods "x" not found\. Check the name and namespace/);
	const ns = await errorFrom(404, status(404, 'NotFound', 'namespaces "nope" not found'));
	assert.match(describeError(ns.error), /^Error from server \(NotFound\): namespaces "nope" not found\. Check the namespace name .*-n/);
	const bare = await errorFrom(404, 'page not found');
	assert.match(describeError(bare.error, {server: bare.server}), /answered 404 Not Found.*does not look like a Kubernetes API server/);
});

test('a refused connection names host and port and asks whether the cluster is running', async () => {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as net.AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	const url = `http://127.0.0.1:${port}`;
	const error = await new Transport(kubeConfigFor(url)).getJson('/api/v1/pods').then(
		() => assert.fail('expected an error'),
		(error: unknown) => error,
	);
	assert.equal(classifyError(error).kind, 'refused');
	const message = describeError(error, {server: url});
	assert.match(message, new RegExp(`^The connection to the server 127\\.0\\.0\\.1:${port} was refused — is the cluster running\\?`));
	assert.match(message, /podwatch --demo/);
	assertParagraph(message);
	// https URL without explicit port: 443.
	assert.match(describeError(error, {server: 'https://example.test'}), /example\.test:443 was refused/);
});

test('client-node ApiException bodies are parsed as Status JSON', () => {
	const body = JSON.stringify(status(403, 'Forbidden', 'pods is forbidden: User "u" cannot list resource "pods" in API group "" in the namespace "ns"'));
	const error = new ApiException(403, 'HTTP-Code: 403', body, {});
	const info = classifyError(error);
	assert.equal(info.kind, 'forbidden');
	assert.equal(info.reason, 'Forbidden');
	assert.match(describeError(error), /^Error from server \(Forbidden\): pods is forbidden: User "u" cannot list resource "pods"/);
});

test('TLS failures, timeouts and WebSocket handshake codes', () => {
	const tls = Object.assign(new Error('self-signed certificate in certificate chain'), {code: 'SELF_SIGNED_CERT_IN_CHAIN'});
	assert.match(describeError(tls, {server: 'https://10.0.0.1:6443'}), /^The secure \(TLS\) connection to the server 10\.0\.0\.1:6443 failed: self-signed certificate in certificate chain\. .*certificate authority/);
	const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
	assert.equal(classifyError(timeout).kind, 'timeout');
	assert.match(describeError(timeout, {server: 'https://h:6443'}), /h:6443 did not answer in time/);
	assert.equal(classifyError(new Error('Unexpected server response: 403')).kind, 'forbidden');
	const expired = new KubeApiError(410, status(410, 'Expired', 'too old resource version: 1 (5)') as never, '');
	assert.equal(classifyError(expired).kind, 'expired');
	const waiting = new KubeApiError(400, status(400, 'BadRequest', 'container "c" in pod "p" is waiting to start: ContainerCreating') as never, '');
	assert.equal(describeError(waiting), 'Error from server (BadRequest): container "c" in pod "p" is waiting to start: ContainerCreating.');
});

test('control characters from the server never reach the message raw', async () => {
	const {error} = await errorFrom(403, status(403, 'Forbid\u001b[2Jden', 'pods is forbidden\u001b]0;pwned\u0007: User "x\u009bq"'));
	const message = describeError(error);
	assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(message), JSON.stringify(message));
	assert.match(message, /Error from server \(Forbid\\x1b\[2Jden\): pods is forbidden\\x1b\]0;pwned\\x07: User "x\\x9bq"/);
});
