// podEvents as kubectl describe lists them, on answers shaped like a real v1.20 cluster's (seen on
// the real-cluster suite): only the current pod's events (by uid), and in lastTimestamp order,
// where the scheduler's event carries only an eventTime and therefore comes first.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {createKubeSource} from '../../source/kube/index.js';
import {sendJson, startFakeApi, status} from './fake-api.js';

const event = (name: string, uid: string, reason: string, times: {lastTimestamp?: string; eventTime?: string}) => ({
	metadata: {name, namespace: 'default'},
	involvedObject: {kind: 'Pod', name: 'web', namespace: 'default', uid},
	reason,
	type: 'Normal',
	message: reason,
	firstTimestamp: times.lastTimestamp ?? null,
	lastTimestamp: times.lastTimestamp ?? null,
	eventTime: times.eventTime ?? null,
});

// The API server's answer: the events matching the field selector (uid only when it is given).
const all = [
	event('web.1', 'old-uid', 'Scheduled', {eventTime: '2026-11-24T04:24:23.836342Z'}),
	event('web.2', 'old-uid', 'Started', {lastTimestamp: '2026-11-24T04:24:24Z'}),
	event('web.3', 'new-uid', 'Scheduled', {eventTime: '2026-11-24T04:27:28.441165Z'}),
	event('web.4', 'new-uid', 'Pulled', {lastTimestamp: '2026-11-24T04:27:28Z'}),
	event('web.5', 'new-uid', 'Created', {lastTimestamp: '2026-11-24T04:27:28Z'}),
	event('web.6', 'new-uid', 'BackOff', {lastTimestamp: '2026-11-24T04:27:47Z'}),
];

function serve(podExists: boolean) {
	return startFakeApi((request, res) => {
		if (request.path === '/api/v1/namespaces/default/pods/web') {
			if (podExists) sendJson(res, 200, {kind: 'Pod', apiVersion: 'v1', metadata: {name: 'web', namespace: 'default', uid: 'new-uid'}});
			else sendJson(res, 404, status(404, 'NotFound', 'pods "web" not found'));
			return;
		}
		if (request.path === '/api/v1/namespaces/default/events') {
			const fields = new Map((request.query.get('fieldSelector') ?? '').split(',').map(term => term.split('=') as [string, string]));
			const items = all.filter(e => [...fields].every(([key, value]) => {
				const field = key.replace(/^involvedObject\./, '') as keyof typeof e.involvedObject;
				return e.involvedObject[field] === value;
			}));
			sendJson(res, 200, {kind: 'EventList', apiVersion: 'v1', metadata: {}, items});
			return;
		}
		sendJson(res, 404, status(404, 'NotFound', 'not found'));
	});
}

test('podEvents: only the current pod\'s events (by uid), Scheduled (eventTime only) first as in kubectl describe', async () => {
	const api = await serve(true);
	try {
		const source = createKubeSource(api.kc, {context: 'fake', server: api.url, namespace: 'default'});
		const events = await source.podEvents('default', 'web');
		assert.deepEqual(events.map(e => e.metadata?.name), ['web.3', 'web.4', 'web.5', 'web.6']);
		const selector = api.requests.find(r => r.path.endsWith('/events'))?.query.get('fieldSelector') ?? '';
		assert.match(selector, /(^|,)involvedObject\.uid=new-uid(,|$)/);
		assert.match(selector, /(^|,)involvedObject\.kind=Pod(,|$)/);
	} finally {
		await api.close();
	}
});

test('podEvents: a pod that is gone still gets its events by name', async () => {
	const api = await serve(false);
	try {
		const source = createKubeSource(api.kc, {context: 'fake', server: api.url, namespace: 'default'});
		const events = await source.podEvents('default', 'web');
		assert.deepEqual(events.map(e => e.metadata?.name), ['web.1', 'web.3', 'web.2', 'web.4', 'web.5', 'web.6']);
		assert.doesNotMatch(api.requests.find(r => r.path.endsWith('/events'))?.query.get('fieldSelector') ?? '', /uid/);
	} finally {
		await api.close();
	}
});
